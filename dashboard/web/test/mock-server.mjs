// Test-only stand-in for siagent-dashboard: implements the JSON API of
// docs/dashboard-api.md over fixture data and serves the built UI, so the UI and its
// browser tests do not wait for the real server. It keeps the contract's rules that the
// UI depends on: session cookie, 401 without it, CSRF header on state-changing calls,
// {"error": ...} bodies, index.html for unknown paths.
// Run by hand: node test/mock-server.mjs [--port 8090] [--dist DIR]
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as data from './fixtures/demo_data.mjs';
import { demoSpans, demoSpanProfile } from './fixtures/span_data.mjs';

const CONTENT_TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.map': 'application/json', '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml' };
const STATE_CHANGING = new Set(['POST', 'PUT', 'DELETE']);

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Mutable per-server state: sessions, users, keys, anomalies, mute rules and webhooks. */
function createState() {
  const now = Math.floor(Date.now() / 1000);
  return { sessions: new Map(), users: data.USERS.map((u) => ({ ...u })), keys: data.initialKeys(now),
    settings: new Map(), anomalies: data.demoAnomalies(now), rules: [], webhooks: [], nextId: 100,
    anomalyThreshold: null };
}

/** The mute rule in force over `anomaly` (the server's SI_RULE_COVERS), or null. */
function ruleOver(state, anomaly) {
  const now = Math.floor(Date.now() / 1000);
  const rule = state.rules.find((r) => r.kind === anomaly.kind && r.category === anomaly.category
    && r.name === anomaly.name && (r.host === '' || r.host === anomaly.host)
    && (r.environment === '' || r.environment === anomaly.environment)
    && (r.until === null || r.until > now));
  return rule ? { id: rule.id, until: rule.until } : null;
}

/** "https://host/…WXYZ", as the server masks webhook URLs. */
function maskUrl(url) {
  const { origin, pathname, search } = new URL(url);
  const rest = pathname + search;
  return rest.length <= 1 ? `${origin}/` : `${origin}/…${rest.slice(rest.length - Math.min(4, Math.floor(rest.length / 4)))}`;
}

/** The fixture apps with anomalies_open counted from the state, as the server does. */
function appsWithAnomalies(state) {
  const now = Math.floor(Date.now() / 1000);
  const open = state.anomalies.filter((a) => !a.acknowledged && !a.muted && !ruleOver(state, a)
    && a.time >= now - 86400).length;
  return data.apps(now).map((app) => ({ ...app, anomalies_open: app.id === data.DEMO_APP_ID ? open : 0 }));
}

function sessionBody(state, session) {
  const user = state.users.find((u) => u.id === session.userId);
  return { user: { email: user.email, role: user.role }, account: data.ACCOUNT, csrf_token: session.csrf };
}

function scopeOf(url) {
  const now = Math.floor(Date.now() / 1000);
  const number = (name, fallback) => (url.searchParams.has(name) ? Number(url.searchParams.get(name)) : fallback);
  const scope = { from: number('from', now - 3600), to: number('to', now),
    version: url.searchParams.get('version') || undefined };
  if (!Number.isFinite(scope.from) || !Number.isFinite(scope.to) || scope.from >= scope.to) {
    throw new HttpError(400, 'from and to must be Unix seconds with from < to');
  }
  return scope;
}

/** Routes: [method, path pattern, handler(ctx) → [status, body]]. */
const ROUTES = [
  ['POST', /^\/api\/login$/, ({ state, body, res }) => {
    const user = state.users.find((u) => u.email === body?.email && u.password === body?.password);
    if (!user) throw new HttpError(401, 'wrong email or password');
    const id = randomBytes(16).toString('hex');
    const session = { userId: user.id, csrf: randomBytes(16).toString('hex') };
    state.sessions.set(id, session);
    res.setHeader('Set-Cookie', `si_session=${id}; HttpOnly; SameSite=Strict; Path=/`);
    return [200, sessionBody(state, session)];
  }],
  ['POST', /^\/api\/logout$/, ({ state, sessionId, res }) => {
    state.sessions.delete(sessionId);
    res.setHeader('Set-Cookie', 'si_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
    return [204, null];
  }],
  ['GET', /^\/api\/me$/, ({ state, session }) => [200, sessionBody(state, session)]],
  ['GET', /^\/api\/apps$/, ({ state }) => [200, { apps: appsWithAnomalies(state) }]],
  // What the real server answers (dashboard/server/model/profile_kinds.cpp, kind_views).
  ['GET', /^\/api\/kinds$/, () => [200, { kinds: [
    { kind: 'cpu', label: 'CPU', tab: 'cpu' }, { kind: 'alloc', label: 'Allocations', tab: 'alloc' },
    { kind: 'inuse', label: 'Heap in use', tab: 'inuse' }, { kind: 'block', label: 'Blocking', tab: 'block' },
    { kind: 'error', label: 'Exceptions', tab: 'errors' }, { kind: 'crash', label: 'Crashes', tab: 'errors' }] }]],
  ['GET', /^\/api\/apps\/(\d+)\/filters$/, ({ appId }) =>
    [200, appId === data.DEMO_APP_ID ? data.demoFilters(Math.floor(Date.now() / 1000))
      : { versions: [], environments: [], hosts: [], processes: [] }]],
  ['GET', /^\/api\/apps\/(\d+)\/profile\/kinds$/, ({ appId }) =>
    [200, { kinds: appId === data.DEMO_APP_ID ? data.profileKinds()
      : appId === data.CPU_ONLY_APP_ID ? data.profileKinds().filter((k) => k.kind === 'cpu') : [] }]],
  ['GET', /^\/api\/apps\/(\d+)\/profile$/, ({ appId, url }) => {
    const kind = url.searchParams.get('kind') ?? '';
    const scope = scopeOf(url);
    if (appId === data.CPU_ONLY_APP_ID && kind === 'cpu') return [200, data.demoProfile(kind, scope)];
    if (appId !== data.DEMO_APP_ID) return [200, data.emptyProfile(kind)];
    const span = url.searchParams.get('span');
    const profile = span ? demoSpanProfile(kind, span, scope) : data.demoProfile(kind, scope);
    return [200, profile ?? data.emptyProfile(kind)];
  }],
  // A stand-in for the pprof file: gzip bytes (the real one's content is tested on the server).
  ['GET', /^\/api\/apps\/(\d+)\/profile\/pprof$/, ({ url }) =>
    [200, gzipSync(Buffer.from(`pprof ${url.searchParams.get('kind') ?? ''}`))]],
  ['GET', /^\/api\/apps\/(\d+)\/profile\/timeline$/, ({ appId, url }) => {
    const kind = url.searchParams.get('kind') ?? 'cpu';
    const scope = scopeOf(url);
    const timeline = appId === data.DEMO_APP_ID || appId === data.CPU_ONLY_APP_ID ? data.demoTimeline(kind, scope) : null;
    return [200, timeline ?? { kind, unit: '', span: '', bucket_seconds: 60, points: [] }];
  }],
  ['GET', /^\/api\/apps\/(\d+)\/metrics$/, ({ appId, url }) => {
    const group = url.searchParams.get('group') ?? '';
    if (group !== '' && group !== 'process') throw new HttpError(400, 'group is empty (merged) or process');
    return [200, { series: appId === data.DEMO_APP_ID ? data.demoMetrics(scopeOf(url), group) : [] }];
  }],
  ['GET', /^\/api\/apps\/(\d+)\/spans$/, ({ appId, url }) =>
    [200, appId === data.DEMO_APP_ID ? demoSpans(scopeOf(url)) : { truncated: false, spans: [] }]],
  ['GET', /^\/api\/apps\/(\d+)\/errors$/, ({ appId, url }) =>
    [200, appId === data.DEMO_APP_ID ? data.demoErrors(scopeOf(url)) : { exceptions: [], crashes: [] }]],
  ['GET', /^\/api\/apps\/(\d+)\/anomalies$/, ({ state, appId, url }) => {
    const { from, to } = scopeOf(url);
    const inRange = appId === data.DEMO_APP_ID ? state.anomalies.filter((a) => a.time >= from && a.time <= to) : [];
    const now = Math.floor(Date.now() / 1000);
    return [200, { anomalies: inRange.sort((a, b) => b.time - a.time)
      .map((a) => ({ muted: false, ...a, rule: ruleOver(state, a) })),
    threshold: thresholdOf(state).threshold,
    judging: { reporting_since: appId === data.DEMO_APP_ID ? now - 14 * 86400 : now - 480, metric_warmup_points: 288,
      leak_window_seconds: 21600, regression_period_seconds: 3600, error_warmup_seconds: 3600 } }];
  }],
  ['GET', /^\/api\/apps\/(\d+)\/rules$/, ({ state }) => {
    const now = Math.floor(Date.now() / 1000);
    return [200, { rules: state.rules.filter((r) => r.until === null || r.until > now).reverse() }];
  }],
  ['POST', /^\/api\/apps\/(\d+)\/rules$/, ({ state, user, body }) => {
    if (user.role === 'viewer') throw new HttpError(403, 'viewers cannot change mute rules');
    if (!body?.kind || !body?.category || !body?.name) throw new HttpError(400, 'kind, category and name are required');
    if (body.until !== null && !(Number.isInteger(body.until) && body.until > Date.now() / 1000)) {
      throw new HttpError(400, 'until must be in the future');
    }
    const rule = { host: '', environment: '', ...body, id: state.nextId++, created: Math.floor(Date.now() / 1000) };
    state.rules = state.rules.filter((r) => !(r.kind === rule.kind && r.category === rule.category
      && r.name === rule.name && r.host === rule.host && r.environment === rule.environment));
    state.rules.push(rule);
    return [201, { id: rule.id }];
  }],
  ['DELETE', /^\/api\/apps\/(\d+)\/rules\/(\d+)$/, ({ state, user, match }) => {
    if (user.role === 'viewer') throw new HttpError(403, 'viewers cannot change mute rules');
    const before = state.rules.length;
    state.rules = state.rules.filter((r) => r.id !== Number(match[2]));
    if (state.rules.length === before) throw new HttpError(404, 'no such rule');
    return [204, null];
  }],
  ['POST', /^\/api\/apps\/(\d+)\/anomalies\/(\d+)\/acknowledge$/, ({ state, appId, user, match }) => {
    if (user.role === 'viewer') throw new HttpError(403, 'viewers cannot acknowledge anomalies');
    const anomaly = appId === data.DEMO_APP_ID ? state.anomalies.find((a) => a.id === Number(match[2])) : null;
    if (!anomaly) throw new HttpError(404, 'no such anomaly');
    anomaly.acknowledged = true;
    return [200, {}];
  }],
  ['GET', /^\/api\/apps\/(\d+)\/settings$/, ({ state, appId }) => [200, state.settings.get(appId)
    ?? { max_active_processes: null, max_active_percent: null }]],
  ['PUT', /^\/api\/apps\/(\d+)\/settings$/, ({ state, appId, body, user }) => {
    requireOwner(user);
    const valid = (v) => v === null || (Number.isInteger(v) && v >= 1);
    if (!valid(body?.max_active_processes) || !valid(body?.max_active_percent)) {
      throw new HttpError(400, 'limits are null or positive integers');
    }
    state.settings.set(appId, { max_active_processes: body.max_active_processes,
      max_active_percent: body.max_active_percent });
    return [200, state.settings.get(appId)];
  }],
  ['GET', /^\/api\/account$/, ({ state }) => [200, { ...data.ACCOUNT,
    users: state.users.map(({ id, email, role }) => ({ id, email, role })), keys: state.keys }]],
  ['POST', /^\/api\/me\/password$/, ({ body, user }) => {
    if (body?.current_password !== user.password) throw new HttpError(403, 'the current password is wrong');
    if (typeof body?.new_password !== 'string' || body.new_password.length < 10) {
      throw new HttpError(400, 'the new password must have at least 10 characters');
    }
    user.password = body.new_password;
    return [204, null];
  }],
  ['POST', /^\/api\/account\/keys$/, ({ state, body, user }) => {
    requireOwner(user);
    if (typeof body?.name !== 'string' || !body.name.trim()) throw new HttpError(400, 'name is required');
    const key = `si_${randomBytes(20).toString('hex')}`;
    const id = state.nextId++;
    state.keys.push({ id, name: body.name, prefix: key.slice(0, 7), created: Math.floor(Date.now() / 1000), last_used: null });
    return [201, { id, key }];
  }],
  ['DELETE', /^\/api\/account\/keys\/(\d+)$/, ({ state, user, match }) => {
    requireOwner(user);
    const before = state.keys.length;
    state.keys = state.keys.filter((k) => k.id !== Number(match[1]));
    if (state.keys.length === before) throw new HttpError(404, 'no such key');
    return [204, null];
  }],
  ['GET', /^\/api\/account\/webhooks$/, ({ state }) => [200, { webhooks: state.webhooks }]],
  ['POST', /^\/api\/account\/webhooks$/, ({ state, body, user }) => {
    requireOwner(user);
    if (!/^https?:\/\/[^/@]+/.test(body?.url ?? '')) throw new HttpError(400, 'url must be http(s)://host[:port]/path');
    if (!['json', 'slack'].includes(body.format)) throw new HttpError(400, 'format must be json or slack');
    const webhook = { id: state.nextId++, name: body.name, format: body.format, url: maskUrl(body.url),
      created: Math.floor(Date.now() / 1000), delivery: null };
    state.webhooks.push(webhook);
    return [201, { id: webhook.id, url: webhook.url }];
  }],
  ['POST', /^\/api\/account\/webhooks\/(\d+)\/test$/, ({ state, user, match }) => {
    requireOwner(user);
    const webhook = state.webhooks.find((w) => w.id === Number(match[1]));
    if (!webhook) throw new HttpError(404, 'no such webhook');
    webhook.delivery = { time: Math.floor(Date.now() / 1000), outcome: 'delivered', delivered: 1,
      failed: 0, dropped: 0 };
    return [202, {}];
  }],
  ['DELETE', /^\/api\/account\/webhooks\/(\d+)$/, ({ state, user, match }) => {
    requireOwner(user);
    const before = state.webhooks.length;
    state.webhooks = state.webhooks.filter((w) => w.id !== Number(match[1]));
    if (state.webhooks.length === before) throw new HttpError(404, 'no such webhook');
    return [204, null];
  }],
  ['POST', /^\/api\/account\/users$/, ({ state, body, user }) => {
    requireOwner(user);
    if (!body?.email || !['owner', 'member', 'viewer'].includes(body.role) || !body.password) {
      throw new HttpError(400, 'email, role and password are required');
    }
    const id = state.nextId++;
    state.users.push({ id, email: body.email, role: body.role, password: body.password });
    return [201, { id }];
  }],
  ['GET', /^\/api\/account\/anomaly-threshold$/, ({ state }) => [200, thresholdOf(state)]],
  ['PUT', /^\/api\/account\/anomaly-threshold$/, ({ state, body, user }) => {
    if (user.role !== 'owner') throw new HttpError(403, 'only owners change the anomaly threshold');
    if (!body || !('threshold' in body)) throw new HttpError(400, 'threshold is required: a number, or null for the default');
    const value = body.threshold;
    if (value !== null && !(typeof value === 'number' && value >= 0.5 && value <= 0.999)) {
      throw new HttpError(400, 'threshold must be a number from 0.5 to 0.999');
    }
    state.anomalyThreshold = value;
    return [200, thresholdOf(state)];
  }],
  ['PUT', /^\/api\/account\/users\/(\d+)$/, ({ state, body, user, match }) => {
    requireOwner(user);
    const target = state.users.find((u) => u.id === Number(match[1]));
    if (!target) throw new HttpError(404, 'no such user');
    target.role = body?.role;
    return [200, { id: target.id }];
  }],
  ['DELETE', /^\/api\/account\/users\/(\d+)$/, ({ state, user, match }) => {
    requireOwner(user);
    state.users = state.users.filter((u) => u.id !== Number(match[1]));
    return [204, null];
  }],
];

/** The server's GET /api/account/anomaly-threshold answer. */
function thresholdOf(state) {
  return { threshold: state.anomalyThreshold ?? 0.9, default: 0.9, min: 0.5, max: 0.999,
    custom: state.anomalyThreshold !== null };
}

function requireOwner(user) {
  if (user.role !== 'owner') throw new HttpError(403, 'only owners can change the account');
}

function cookie(req, name) {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
}

async function handleApi(state, req, res, url) {
  const route = ROUTES.find(([method, pattern]) => method === req.method && pattern.test(url.pathname));
  if (!route) throw new HttpError(404, 'not found');
  const [, pattern, handler] = route;
  const match = pattern.exec(url.pathname);
  const sessionId = cookie(req, 'si_session');
  const session = state.sessions.get(sessionId);
  const isLogin = url.pathname === '/api/login';
  if (!isLogin && !session) throw new HttpError(401, 'not logged in');
  if (!isLogin && STATE_CHANGING.has(req.method) && req.headers['x-csrf-token'] !== session.csrf) {
    throw new HttpError(403, 'missing or wrong CSRF token');
  }
  const appId = match[1] === undefined ? null : Number(match[1]);
  if (url.pathname.startsWith('/api/apps/') && !data.apps(0).some((a) => a.id === appId)) {
    throw new HttpError(404, 'no such application');
  }
  const user = session ? state.users.find((u) => u.id === session.userId) : null;
  const body = await readBody(req);
  const [status, payload] = handler({ state, req, res, url, body, match, appId, session, sessionId, user });
  sendJson(res, status, payload);
}

function sendJson(res, status, payload) {
  res.statusCode = status;
  if (payload === null) {
    res.end();
    return;
  }
  if (Buffer.isBuffer(payload)) {  // a download
    res.setHeader('Content-Type', 'application/octet-stream');
    res.end(payload);
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(payload));
}

async function serveStatic(distDir, url, res) {
  const relative = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
  let path = join(distDir, relative);
  if (!path.startsWith(distDir) || url.pathname === '/') path = join(distDir, 'index.html');
  let content;
  try {
    content = await readFile(path);
  } catch {
    path = join(distDir, 'index.html');   // client-side routes
    content = await readFile(path);
  }
  res.setHeader('Content-Type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream');
  res.end(content);
}

/** Starts the server; resolves to {url, close()} once it listens. */
export async function startMockServer({ port = 0, host = '127.0.0.1', distDir } = {}) {
  const dist = resolve(distDir ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
  const state = createState();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    try {
      if (url.pathname.startsWith('/api/')) await handleApi(state, req, res, url);
      else await serveStatic(dist, url, res);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      if (!(error instanceof HttpError)) console.error(error);
      sendJson(res, status, { error: error instanceof HttpError ? error.message : 'internal error' });
    }
  });
  await new Promise((done) => server.listen(port, host, done));
  const address = server.address();
  return { url: `http://${host}:${address.port}`,
    close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const { url } = await startMockServer({ port: Number(option('--port', 8090)), distDir: option('--dist') });
  console.log(`mock dashboard on ${url} (login admin@example.com / demo-password)`);
}
