// Boots the UI: finds out whether a session exists, then renders the view the URL hash
// names. Each render gets an AbortSignal that fires when the user navigates away, so a
// slow answer for an old view never paints over the new one.
import './styles/app.css';
import { api, ApiError, setCsrfToken, setUnauthorizedHandler } from './api.js';
import { parseRoute, formatRoute } from './lib/route.js';
import { h, replaceChildren } from './views/dom.js';
import { errorState, loadingState } from './views/states.js';
import { renderShell } from './views/shell.js';
import { renderLogin } from './views/login_view.js';
import { renderAppsList } from './views/apps_view.js';
import { renderApplication } from './views/app_view.js';
import { renderAccount } from './views/account_view.js';

const root = document.getElementById('app');
let session = null;          // the body of /api/me or /api/login; null when logged out
let current = { abort: new AbortController(), dispose: null };

function go(hash) {
  if (window.location.hash === hash) route();
  else window.location.hash = hash;
}

function startSession(body) {
  session = body;
  setCsrfToken(body.csrf_token);
}

function endSession() {
  session = null;
  setCsrfToken(null);
}

/** The views behind a session, by the first path segment. */
const PAGES = {
  apps: (outlet, ctx) => (ctx.route.segments.length > 1
    ? renderApplication(outlet, ctx) : renderAppsList(outlet, ctx)),
  account: renderAccount,
};

function route() {
  current.abort.abort();
  current.dispose?.();
  current = { abort: new AbortController(), dispose: null };
  const parsed = parseRoute(window.location.hash);
  const ctx = { route: parsed, session, go, signal: current.abort.signal,
    // `next` only ever names a route of this page (a hash), never another address.
    onLogin: (body) => {
      startSession(body);
      go(parsed.params.next?.startsWith('#/') ? parsed.params.next : '#/apps');
    } };

  if (!session) {
    if (parsed.segments[0] !== 'login') {
      const next = window.location.hash && window.location.hash !== '#/' ? window.location.hash : '';
      go(formatRoute(['login'], { next }));
      return;
    }
    current.dispose = renderLogin(root, ctx);
    return;
  }
  if (parsed.segments[0] === 'login' || parsed.segments.length === 0) {
    go('#/apps');
    return;
  }
  const page = PAGES[parsed.segments[0]];
  const outlet = renderShell(root, { session, active: parsed.segments[0], onLogout: logout });
  if (!page) {
    replaceChildren(outlet, h('div.state', {}, h('h2', {}, 'Page not found'),
      h('p', {}, h('a', { href: '#/apps' }, 'Back to applications'))));
    return;
  }
  current.dispose = page(outlet, ctx) ?? null;
}

async function logout() {
  try {
    await api.logout();
  } catch {
    // The session is dropped locally either way; the server forgets it on its own timeout.
  }
  endSession();
  go('#/login');
}

async function boot() {
  replaceChildren(root, loadingState('Opening the dashboard…'));
  setUnauthorizedHandler(() => {
    if (!session) return;
    endSession();
    go(formatRoute(['login'], { next: window.location.hash }));
  });
  try {
    startSession(await api.me());
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) {
      replaceChildren(root, h('main.page', {}, errorState(error, boot)));
      return;
    }
  }
  window.addEventListener('hashchange', route);
  route();
}

boot();
