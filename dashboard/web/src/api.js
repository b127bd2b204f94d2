// The client of the dashboard's JSON API (docs/dashboard-api.md). Every call goes through
// request(): same-origin cookies, JSON in and out, the CSRF header on state-changing
// calls, and failures as ApiError with the HTTP status and the server's short reason.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = null;
let onUnauthorized = () => {};

/** The token from login or /api/me; sent as X-CSRF-Token on every state-changing call. */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** Called when a call other than login and me answers 401 (the session ended). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

async function request(method, path, { body, query, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (STATE_CHANGING.has(method) && path !== '/api/login' && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }
  const url = query ? `${path}?${queryString(query)}` : path;
  let response;
  try {
    response = await fetch(url, { method, headers, signal, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'The dashboard cannot be reached. Is the server running?');
  }
  const payload = await readJson(response);
  if (!response.ok) {
    if (response.status === 401 && path !== '/api/login' && path !== '/api/me') onUnauthorized();
    const reason = payload?.error || response.statusText || 'request failed';
    throw new ApiError(response.status, `${reason} (HTTP ${response.status})`);
  }
  return payload;
}

async function readJson(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    if (!response.ok) return null;
    throw new ApiError(response.status, 'The dashboard answered with something that is not JSON');
  }
}

/** from/to plus the filters that are set; empty filters are left out. */
function queryString(query) {
  const kept = Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return new URLSearchParams(kept.map(([k, v]) => [k, String(v)])).toString();
}

const appPath = (appId, rest = '') => `/api/apps/${encodeURIComponent(appId)}${rest}`;

/** A scope is {from, to, version?, environment?, host?, pid?}. */
export const api = {
  me: (signal) => request('GET', '/api/me', { signal }),
  login: (email, password) => request('POST', '/api/login', { body: { email, password } }),
  logout: () => request('POST', '/api/logout'),

  apps: (signal) => request('GET', '/api/apps', { signal }),
  filters: (appId, scope, signal) =>
    request('GET', appPath(appId, '/filters'), { query: { from: scope.from, to: scope.to }, signal }),
  profile: (appId, kind, scope, signal) =>
    request('GET', appPath(appId, '/profile'), { query: { kind, ...scope }, signal }),
  /** Where the same merged profile downloads as a gzipped pprof file (a plain link). */
  profilePprofUrl: (appId, kind, scope) => `${appPath(appId, '/profile/pprof')}?${queryString({ kind, ...scope })}`,
  /** The profile's total per time bucket: {kind, unit, bucket_seconds, points: [[time, value]]}. */
  profileTimeline: (appId, kind, scope, signal) =>
    request('GET', appPath(appId, '/profile/timeline'), { query: { kind, ...scope }, signal }),
  /** How each known kind is shown: [{kind, label, tab}] in tab order (the server's list). */
  kindViews: (signal) => request('GET', '/api/kinds', { signal }),
  profileKinds: (appId, scope, signal) =>
    request('GET', appPath(appId, '/profile/kinds'), { query: { from: scope.from, to: scope.to }, signal }),
  settings: (appId, signal) => request('GET', appPath(appId, '/settings'), { signal }),
  saveSettings: (appId, settings) => request('PUT', appPath(appId, '/settings'), { body: settings }),
  /** group: undefined (merged over processes) or 'process' (a series per process). */
  metrics: (appId, scope, signal, group) =>
    request('GET', appPath(appId, '/metrics'), { query: { ...scope, group }, signal }),
  errors: (appId, scope, signal) => request('GET', appPath(appId, '/errors'), { query: scope, signal }),
  spans: (appId, scope, signal) => request('GET', appPath(appId, '/spans'), { query: scope, signal }),
  anomalies: (appId, scope, signal) => request('GET', appPath(appId, '/anomalies'), { query: scope, signal }),
  acknowledgeAnomaly: (appId, anomalyId) =>
    request('POST', appPath(appId, `/anomalies/${encodeURIComponent(anomalyId)}/acknowledge`)),
  muteRules: (appId, signal) => request('GET', appPath(appId, '/rules'), { signal }),
  /** rule: {kind, category, name, host, environment, until: seconds | null (off)} */
  setMuteRule: (appId, rule) => request('POST', appPath(appId, '/rules'), { body: rule }),
  deleteMuteRule: (appId, ruleId) => request('DELETE', appPath(appId, `/rules/${encodeURIComponent(ruleId)}`)),

  account: (signal) => request('GET', '/api/account', { signal }),
  addUser: (email, role, password) =>
    request('POST', '/api/account/users', { body: { email, role, password } }),
  setUserRole: (userId, role) =>
    request('PUT', `/api/account/users/${encodeURIComponent(userId)}`, { body: { role } }),
  removeUser: (userId) => request('DELETE', `/api/account/users/${encodeURIComponent(userId)}`),
  createKey: (name) => request('POST', '/api/account/keys', { body: { name } }),
  changePassword: (currentPassword, newPassword) =>
    request('POST', '/api/me/password', { body: { current_password: currentPassword, new_password: newPassword } }),
  deleteKey: (keyId) => request('DELETE', `/api/account/keys/${encodeURIComponent(keyId)}`),
  /** {threshold, default, min, max, custom}: the account's metric anomaly threshold. */
  anomalyThreshold: (signal) => request('GET', '/api/account/anomaly-threshold', { signal }),
  /** threshold: a number within the bounds, or null for the default (owners). */
  setAnomalyThreshold: (threshold) => request('PUT', '/api/account/anomaly-threshold', { body: { threshold } }),
  webhooks: (signal) => request('GET', '/api/account/webhooks', { signal }),
  addWebhook: (name, url, format) => request('POST', '/api/account/webhooks', { body: { name, url, format } }),
  deleteWebhook: (id) => request('DELETE', `/api/account/webhooks/${encodeURIComponent(id)}`),
  testWebhook: (id) => request('POST', `/api/account/webhooks/${encodeURIComponent(id)}/test`),
};
