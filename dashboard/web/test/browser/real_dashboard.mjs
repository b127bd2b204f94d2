// Runs the browser scenarios against the real server: starts a fresh siagent-dashboard (empty
// data directory, a free loopback port), profiles the bundled demo into it under LD_PRELOAD,
// waits until its CPU profile can be queried, checks that its CPU timeline agrees with the
// profile over each of its buckets, then runs dashboard.test.mjs with --base-url
// and the first start's login, expecting score_items (the demo's hottest function) in the
// flame graph. With --span-demo, test/programs/span_demo also reports (as the application
// "spans"), and the Spans tab must show its spans and, for span A, burn_in_a and not B's
// burn_in_b in the CPU flame graph. Exits with the browser test's code (77: no Chromium).
// Usage: node real_dashboard.mjs --dashboard BIN --agent LIBSIAGENT --demo DEMO_BIN
//          [--span-demo SPAN_DEMO_BIN] --web DIST_DIR --screenshots DIR [--reporter REPORTER.mjs]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const HOT_FUNCTION = 'score_items';
// span_demo's truth (test/programs/span_demo.cpp): span A burns in burn_in_a, span B in burn_in_b.
const SPANS = { app: 'spans', span: 'A', hotFunction: 'burn_in_a', otherFunction: 'burn_in_b' };

function option(name) {
  const index = process.argv.indexOf(name);
  if (index < 0 || index + 1 >= process.argv.length) {
    if (name === '--reporter' || name === '--span-demo') return null;
    throw new Error(`missing ${name}`);
  }
  return process.argv[index + 1];
}

/** Resolves with the child's exit code (128 + n when a signal ended it). */
function exited(child) {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? 9 : 0))));
}

/**
 * Starts the dashboard; resolves with its URL and the printed password and agent key. Under
 * scripts/with-postgres (SIAGENT_TEST_POSTGRES set) its store is that fresh cluster's
 * database instead of SQLite in the data directory.
 */
function startDashboard(binary, dataDir, webDir) {
  const store = process.env.SIAGENT_TEST_POSTGRES ? ['--database', process.env.SIAGENT_TEST_POSTGRES] : [];
  const child = spawn(binary, ['--listen', '127.0.0.1:0', '--data', dataDir, ...store, '--web', webDir],
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

/** Runs `program` under the agent, reporting to `dashboard` as application `app`. */
async function runProfiled(program, args, agent, dashboard, app, extraEnv = {}) {
  const child = spawn(program, args, {
    stdio: 'inherit',
    env: {
      ...process.env,
      LD_PRELOAD: agent,
      SI_AGENT_KEY: dashboard.agentKey,
      SI_DASHBOARD_ADDRESS: dashboard.url,
      SI_APP_NAME: app,
      SI_APP_VERSION: '1.0',
      SIAGENT_TEST_TRANSPORT_TIMINGS: 'flush=200,config_first=100,config_every=500,backoff=300,backoff_max=1000,request=1500',
      ...extraEnv,
    },
  });
  const code = await exited(child);
  if (code !== 0) throw new Error(`${program} under the agent exited with ${code}`);
}

/** Logs in through the API; resolves with get(path) → the answer's JSON. */
async function apiSession(dashboard) {
  const login = await fetch(`${dashboard.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@localhost', password: dashboard.password }),
  });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  return async (path) => (await fetch(`${dashboard.url}${path}`, { headers: { cookie } })).json();
}

/** Waits (at most 20 s) until `ready(get, app)` holds for `appName`; resolves with the app. */
async function waitForApp(dashboard, appName, ready) {
  const get = await apiSession(dashboard);
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const app = (await get('/api/apps')).apps.find((one) => one.name === appName);
    if (app && await ready(get, app)) return app;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the data of ${appName} did not arrive at the dashboard`);
}

/** The demo's CPU timeline agrees with its profile: each bucket's value is the profile's total over that bucket alone. */
async function checkTimeline(dashboard, app) {
  const get = await apiSession(dashboard);
  const timeline = await get(`/api/apps/${app.id}/profile/timeline?kind=cpu`);
  if (timeline.unit !== 'percent' || timeline.points.length === 0) {
    throw new Error(`the demo's CPU timeline is empty or not in percent: ${JSON.stringify(timeline)}`);
  }
  for (const [time, value] of timeline.points) {
    const alone = await get(`/api/apps/${app.id}/profile?kind=cpu&from=${time}&to=${time + timeline.bucket_seconds - 1}`);
    if (Math.abs(alone.total - value) > 1e-6 * Math.max(1, Math.abs(value))) {
      throw new Error(`timeline bucket ${time}: ${value}, but the profile over it totals ${alone.total}`);
    }
  }
  console.log(`# the CPU timeline's ${timeline.points.length} buckets agree with the profile over each`);
}

async function main() {
  const webDir = option('--web');
  if (!existsSync(join(webDir, 'index.html'))) throw new Error(`no built UI in ${webDir}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'siagent-browser-'));
  let dashboard;
  try {
    dashboard = await startDashboard(option('--dashboard'), join(dataDir, 'data'), webDir);
    await runProfiled(option('--demo'), ['1500', '2', '0', '4'], option('--agent'), dashboard, 'demo',
      { SI_REPORT_INTERVAL: '1s', SI_METRICS_INTERVAL: '1s' });
    const demo = await waitForApp(dashboard, 'demo',
      async (get, app) => (await get(`/api/apps/${app.id}/profile?kind=cpu`)).reports > 0);
    await checkTimeline(dashboard, demo);
    const spanDemo = option('--span-demo');
    if (spanDemo) {
      await runProfiled(spanDemo, [], option('--agent'), dashboard, SPANS.app, { SI_CPU_SAMPLING_HZ: '1000' });
      await waitForApp(dashboard, SPANS.app,
        async (get, app) => (await get(`/api/apps/${app.id}/spans`)).spans.length > 0);
    }
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
        ...(spanDemo ? {
          SIAGENT_SPANS_APP: SPANS.app,
          SIAGENT_SPAN: SPANS.span,
          SIAGENT_SPAN_HOT_FUNCTION: SPANS.hotFunction,
          SIAGENT_SPAN_OTHER_FUNCTION: SPANS.otherFunction,
        } : {}),
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
