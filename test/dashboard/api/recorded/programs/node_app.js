const stackimpact = require('stackimpact');
const agent = stackimpact.start({
  agentKey: 'si_key', appName: 'node-recorded', appVersion: '1.0.0', appEnvironment: 'test',
  dashboardAddress: process.env.DASHBOARD, debug: true,
});
process.on('uncaughtException', (err) => {});
process.on('unhandledRejection', (reason) => {});
const leak = [];
function cpuWork() { let x = 0; for (let i = 0; i < 3e6; i++) x += Math.sqrt(i); return x; }
function allocateMemory() { const a = []; for (let i = 0; i < 2000; i++) a.push({i: i, s: 'x' + i}); leak.push(a); }
function parsePayment(amount) { throw new TypeError('payment declined: ' + amount); }
function rejectLater() { return Promise.reject(new Error('lookup failed')); }
const deadline = Date.now() + 200000;
function tick() {
  if (Date.now() > deadline) { agent.destroy(); return; }
  cpuWork();
  allocateMemory();
  setTimeout(function () { parsePayment(42); }, 1);
  rejectLater();
  require('fs').readFile('/etc/passwd', () => setTimeout(tick, 10));
}
tick();
