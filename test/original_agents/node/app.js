// A Node.js program profiled by the released StackImpact agent (1.3.26) for about 24 s (at
// most 30 s more until each of its profilers has had a turn), reporting to DASHBOARD with KEY.
// The agent's own code is unchanged; only the schedule of its reporters is compressed
// (profile every 1-2 s, report every 6 s instead of 16 s and 120 s; errors and metrics every
// 6 s instead of 60 s), through the reporters' settings,
// before its first config load (2 s after start) starts them.
//
// Known truth: cpuWork burns most of the CPU; allocateMemory keeps every object it makes;
// readFile waits on the file system (the async profile); a timer throws
// TypeError("payment declined: 42") from parsePayment, caught by the program's own
// uncaughtException handler (the agent records uncaught exceptions only then); rejectLater
// leaves an Error("lookup failed") unhandled.
const stackimpact = require('stackimpact');

const agent = stackimpact.start({
  agentKey: process.env.KEY, appName: 'node-agent-test', appVersion: '1.0.0', appEnvironment: 'test',
  dashboardAddress: process.env.DASHBOARD, debug: process.env.DEBUG === '1',
});
// One profiler runs at a time (the others skip their turn: "profiler lock exists"), so the
// async profiler, whose spans are short, tries twice as often.
Object.assign(agent.cpuReporter.config, { spanInterval: 2000, maxSpanDuration: 500, reportInterval: 6000 });
Object.assign(agent.allocationReporter.config, { spanInterval: 2000, maxSpanDuration: 500, reportInterval: 6000 });
Object.assign(agent.asyncReporter.config, { spanInterval: 1000, maxSpanDuration: 300, reportInterval: 6000 });
agent.errorReporter.REPORT_INTERVAL = 6000;
agent.processReporter.REPORT_INTERVAL = 6000;
agent.messageQueue.FLUSH_INTERVAL = 1000;

process.on('uncaughtException', () => {});
process.on('unhandledRejection', () => {});

const kept = [];
function cpuWork() { let x = 0; for (let i = 0; i < 5e6; i++) x += Math.sqrt(i); return x; }
function allocateMemory() { const a = []; for (let i = 0; i < 500; i++) a.push({ i, s: 'x' + i }); kept.push(a); }
function parsePayment(amount) { throw new TypeError('payment declined: ' + amount); }
function rejectLater() { return Promise.reject(new Error('lookup failed')); }

// One profiler runs at a time and each picks its moments at random, so on a loaded machine
// one of them can go the whole run without a turn before its last report. The program runs
// on (up to 30 s more) until every profiler has recorded (seen as its reporter's profiled
// duration between two reports); it ends once no profiler is running, reporting all they hold.
const profileReporters = [agent.cpuReporter, agent.allocationReporter, agent.asyncReporter];
const profiled = new Set();
const deadline = Date.now() + Number(process.env.SECONDS || 24) * 1000;
function tick() {
  profileReporters.filter((reporter) => reporter.profileDuration > 0).forEach((reporter) => profiled.add(reporter));
  const everyProfilerRecorded = profiled.size === profileReporters.length;
  if (Date.now() > deadline && !agent.profilerActive && (everyProfilerRecorded || Date.now() > deadline + 30000)) {
    // The last reports, then a flush, before the process ends.
    profileReporters.forEach((reporter) => reporter.report(false));
    agent.errorReporter.report();
    agent.messageQueue.flush(false, () => { agent.destroy(); process.exit(0); });
    return;
  }
  cpuWork();
  allocateMemory();
  setTimeout(() => parsePayment(42), 1);
  rejectLater();
  require('fs').readFile(__filename, () => setTimeout(tick, 5));
}
tick();
