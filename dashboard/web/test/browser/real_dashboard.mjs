// Runs the browser scenarios against the real server: starts a fresh siagent-dashboard (empty
// data directory, a free loopback port), profiles the bundled demo into it under LD_PRELOAD,
// waits until its CPU profile can be queried, then runs dashboard.test.mjs with --base-url
// and the first start's login, expecting score_items (the demo's hottest function) in the
// flame graph. Exits with the browser test's code (77: no Chromium).
// Usage: node real_dashboard.mjs --dashboard BIN --agent LIBSIAGENT --demo DEMO_BIN
//          --web DIST_DIR --screenshots DIR [--reporter REPORTER.mjs]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const HOT_FUNCTION = 'score_items';

function option(name) {
  const index = process.argv.indexOf(name);
  if (index < 0 || index + 1 >= process.argv.length) {
    if (name === '--reporter') return null;
    throw new Error(`missing ${name}`);
  }
  return process.argv[index + 1];
}

/** Resolves with the child's exit code (128 + n when a signal ended it). */
function exited(child) {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? 9 : 0))));
}

/** Starts the dashboard; resolves with its URL and the printed password and agent key. */
function startDashboard(binary, dataDir, webDir) {
  const child = spawn(binary, ['--listen', '127.0.0.1:0', '--data', dataDir, '--web', webDir],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dashboard did not start:\n${output}`)), 20000);
    child.on('exit', (code) => reject(new Error(`dashboard exited (${code}):\n${output}`)));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const url = output.match(/listening on (\S+)/)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({
        child,
        url: url.replace(/\/+$/, ''),
        password: output.match(/password:\s+(\S+)/)?.[1],
        agentKey: output.match(/agent key:\s+(\S+)/)?.[1],
      });
    });
  });
}

async function runDemo(demo, agent, dashboard) {
  const child = spawn(demo, ['1500', '2', '0', '4'], {
    stdio: 'inherit',
    env: {
      ...process.env,
      LD_PRELOAD: agent,
      SI_AGENT_KEY: dashboard.agentKey,
      SI_DASHBOARD_ADDRESS: dashboard.url,
      SI_APP_NAME: 'demo',
      SI_APP_VERSION: '1.0',
      SI_REPORT_INTERVAL: '1s',
      SI_METRICS_INTERVAL: '1s',
      SIAGENT_TEST_TRANSPORT_TIMINGS: 'flush=200,config_first=100,config_every=500,backoff=300,backoff_max=1000,request=1500',
    },
  });
  const code = await exited(child);
  if (code !== 0) throw new Error(`demo_hotspots under the agent exited with ${code}`);
}

/** Logs in through the API and waits (at most 20 s) until the demo's CPU profile has reports. */
async function waitForProfile(dashboard) {
  const login = await fetch(`${dashboard.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@localhost', password: dashboard.password }),
  });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const get = async (path) => (await fetch(`${dashboard.url}${path}`, { headers: { cookie } })).json();
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const app = (await get('/api/apps')).apps.find((one) => one.name === 'demo');
    if (app && (await get(`/api/apps/${app.id}/profile?kind=cpu`)).reports > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the demo\'s CPU profile did not arrive at the dashboard');
}

async function main() {
  const webDir = option('--web');
  if (!existsSync(join(webDir, 'index.html'))) throw new Error(`no built UI in ${webDir}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'siagent-browser-'));
  let dashboard;
  try {
    dashboard = await startDashboard(option('--dashboard'), join(dataDir, 'data'), webDir);
    await runDemo(option('--demo'), option('--agent'), dashboard);
    await waitForProfile(dashboard);
    const reporter = option('--reporter');
    const browserTest = spawn(process.execPath, [
      ...(reporter ? [`--test-reporter=${reporter}`] : []),
      join(here, 'dashboard.test.mjs'), '--base-url', dashboard.url, '--screenshots', option('--screenshots'),
    ], {
      stdio: 'inherit',
      env: {
        ...process.env,
        SIAGENT_EMAIL: 'admin@localhost',
        SIAGENT_PASSWORD: dashboard.password,
        SIAGENT_APP: 'demo',
        SIAGENT_HOT_FUNCTION: HOT_FUNCTION,
      },
    });
    return await exited(browserTest);
  } finally {
    if (dashboard) {
      dashboard.child.removeAllListeners('exit');
      const stopped = exited(dashboard.child);
      dashboard.child.kill('SIGTERM');
      await stopped;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (error) => {
  console.error(`FAIL: ${error.message}`);
  process.exit(1);
});
