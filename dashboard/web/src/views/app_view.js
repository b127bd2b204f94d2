// One application: header, time range and filters, tabs, and the tab's panel.
// Everything the page shows follows from the URL: #/apps/{id}/{tab}?range=…&version=…
import { api } from '../api.js';
import { resolveRange, refreshSeconds } from '../lib/time_range.js';
import { formatRoute } from '../lib/route.js';
import { formatAgo } from '../lib/format.js';
import { h, replaceChildren } from './dom.js';
import { loadingState, errorState, emptyState } from './states.js';
import { rangePicker } from './range_picker.js';
import { filterBar, FILTER_NAMES } from './filter_bar.js';
import { renderProfilePanel } from './profile_panel.js';
import { renderErrorsPanel } from './errors_panel.js';
import { renderMetricsPanel } from './metrics_panel.js';
import { renderComparePanel } from './compare_panel.js';
import { renderProcessesPanel } from './processes_panel.js';
import { renderAnomaliesPanel } from './anomalies_panel.js';
import { renderSpansPanel } from './spans_panel.js';

// The views that are not one profile kind. The profile tabs come first, from the server's
// list of kinds (GET /api/kinds: dashboard/server/model/profile_kinds.h), fetched once.
const OTHER_TABS = [
  { key: 'errors', label: 'Errors', render: renderErrorsPanel },
  { key: 'spans', label: 'Spans', render: renderSpansPanel },
  { key: 'metrics', label: 'Metrics', render: renderMetricsPanel },
  { key: 'anomalies', label: 'Anomalies', render: renderAnomaliesPanel },
  { key: 'compare', label: 'Compare', render: renderComparePanel },
  { key: 'processes', label: 'Processes', render: renderProcessesPanel },
];
let kindViews = null;  // a promise of the server's list, kept for the session

/** {profileTabs: [{key, label, kind}], kindsWithTabs: Set}; any other kind with data gets an
 * extra tab ("kind" + ?kind=). */
async function loadKindTabs(signal) {
  kindViews ??= api.kindViews(signal).catch((error) => { kindViews = null; throw error; });
  const { kinds } = await kindViews;
  return {
    profileTabs: kinds.filter((k) => k.tab === k.kind).map((k) => ({ key: k.kind, label: k.label, kind: k.kind })),
    kindsWithTabs: new Set(kinds.filter((k) => k.tab).map((k) => k.kind)),
  };
}

export function renderApplication(outlet, ctx) {
  const [, appId, tabKey = 'cpu'] = ctx.route.segments;
  const params = ctx.route.params;
  const range = resolveRange(params, Date.now() / 1000);
  const scope = { from: range.from, to: range.to,
    ...Object.fromEntries(FILTER_NAMES.map(({ key }) => [key, params[key]]).filter(([, v]) => v)) };
  // Keeps tab and other parameters, replaces the given ones; null removes one.
  const update = (changes, segments = ['apps', appId, tabKey]) =>
    ctx.go(formatRoute(segments, { ...params, ...changes }));
  const panelCtx = { appId, range, scope, params, update, signal: ctx.signal, session: ctx.session };

  const header = h('div.app-header', {}, loadingState('Loading application…'));
  const toolbar = h('div.toolbar', { role: 'group', 'aria-label': 'Time range and filters' },
    rangePicker(range, update, params.refresh ?? ''),
    filterBar(null, params, update));
  const tabs = h('nav.tabs', { 'aria-label': 'Application views' });
  const panel = h('section.panel', { 'aria-live': 'polite' }, loadingState('Loading…'));
  replaceChildren(outlet,
    h('nav.breadcrumb', { 'aria-label': 'Breadcrumb' }, h('a', { href: '#/apps' }, 'Applications'),
      h('span', { 'aria-hidden': 'true' }, ' / ')),
    header, toolbar, tabs, panel);

  loadHeader(appId, header, ctx.signal, outlet);
  loadFilters(appId, scope, params, update, toolbar, ctx.signal);
  showTabOverflow(tabs);

  // A live view: the page renders again from its URL (a preset: up to now) every period,
  // until the user goes elsewhere.
  const every = refreshSeconds(params, range);
  if (every > 0) {
    const timer = setTimeout(() => ctx.go(window.location.hash), every * 1000);
    ctx.signal.addEventListener('abort', () => clearTimeout(timer));
  }

  renderTabsAndPanel(appId, tabKey, scope, params, tabs, panel, panelCtx);
}

async function renderTabsAndPanel(appId, tabKey, scope, params, tabs, panel, panelCtx) {
  let kindTabs;
  try {
    kindTabs = await loadKindTabs(panelCtx.signal);
  } catch (error) {
    if (error.name !== 'AbortError') {
      replaceChildren(panel, errorState(error, () => renderTabsAndPanel(appId, tabKey, scope, params, tabs, panel, panelCtx)));
    }
    return;
  }
  const { profileTabs, kindsWithTabs } = kindTabs;
  replaceChildren(tabs, tabLinks(appId, tabKey, params, profileTabs, []));
  tabs.updateOverflow?.();
  loadExtraKinds(appId, tabKey, scope, params, tabs, profileTabs, kindsWithTabs, panelCtx.signal);

  const profileTab = profileTabs.find((t) => t.key === tabKey);
  const otherTab = OTHER_TABS.find((t) => t.key === tabKey);
  if (profileTab) renderProfilePanel(panel, { ...panelCtx, kind: profileTab.kind });
  else if (tabKey === 'kind' && params.kind) renderProfilePanel(panel, { ...panelCtx, kind: params.kind });
  else if (otherTab) otherTab.render(panel, panelCtx);
  else replaceChildren(panel, emptyState('No such view', 'Pick one of the tabs above.'));
}

function tabLinks(appId, activeKey, params, profileTabs, extraKinds) {
  const keep = { ...params, kind: null, span: null, profile: null, group: null };
  const link = (key, label, extra = {}) => {
    const active = key === activeKey && (key !== 'kind' || extra.kind === params.kind);
    return h('a.tab', { href: formatRoute(['apps', appId, key], { ...keep, ...extra }),
      'aria-current': active ? 'page' : null, dataset: { tab: key } }, label);
  };
  return [
    ...profileTabs.map((t) => link(t.key, t.label)),
    ...OTHER_TABS.map((t) => link(t.key, t.label)),
    ...extraKinds.map((k) => link('kind', k.name || k.kind, { kind: k.kind })),
  ];
}

async function loadHeader(appId, header, signal, outlet) {
  try {
    const { apps } = await api.apps(signal);
    const app = apps.find((a) => String(a.id) === String(appId));
    if (!app) {
      replaceChildren(outlet, emptyState('Application not found',
        'It may have been removed, or it belongs to another account. ',
        h('a', { href: '#/apps' }, 'Back to applications')));
      return;
    }
    document.title = `${app.name} · siagent`;
    const now = Date.now() / 1000;
    replaceChildren(header,
      h('h1', {}, app.name),
      h('p.app-meta', {},
        `${app.processes_active ?? 0} of ${app.processes_total ?? 0} processes profiling`,
        ` · last report ${formatAgo(app.last_seen, now)}`,
        app.environments?.length ? ` · ${app.environments.join(', ')}` : ''));
  } catch (error) {
    // The server may be down for a moment: the header offers to try again.
    if (error.name !== 'AbortError') {
      replaceChildren(header, errorState(error, () => {
        replaceChildren(header, loadingState('Loading application…'));
        loadHeader(appId, header, signal, outlet);
      }));
    }
  }
}

async function loadFilters(appId, scope, params, update, toolbar, signal) {
  try {
    const available = await api.filters(appId, scope, signal);
    toolbar.querySelector('.filter-bar').replaceWith(filterBar(available, params, update));
  } catch {
    // Without the filter lists the selects stay as they are (only "All" and chosen values).
  }
}

/**
 * A tab bar wider than the page scrolls; its classes more-left / more-right fade the edge
 * where tabs are hidden (the scroll hint), and the current tab is scrolled into view.
 */
function showTabOverflow(tabs) {
  const update = () => {
    const hiddenRight = tabs.scrollWidth - tabs.clientWidth - tabs.scrollLeft > 1;
    tabs.classList.toggle('more-right', hiddenRight);
    tabs.classList.toggle('more-left', tabs.scrollLeft > 1);
  };
  tabs.updateOverflow = () => {
    tabs.querySelector('[aria-current="page"]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    update();
  };
  tabs.addEventListener('scroll', update, { passive: true });
  if (typeof ResizeObserver === 'function') new ResizeObserver(update).observe(tabs);
  requestAnimationFrame(tabs.updateOverflow);
}

async function loadExtraKinds(appId, tabKey, scope, params, tabs, profileTabs, kindsWithTabs, signal) {
  try {
    const { kinds } = await api.profileKinds(appId, scope, signal);
    const extra = (kinds ?? []).filter((k) => !kindsWithTabs.has(k.kind));
    if (extra.length) {
      replaceChildren(tabs, tabLinks(appId, tabKey, params, profileTabs, extra));
      tabs.updateOverflow?.();
    }
  } catch {
    // Optional: unknown kinds simply get no tab when the list cannot be loaded.
  }
}
