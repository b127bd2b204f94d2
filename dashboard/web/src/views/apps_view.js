// Applications list: each application's health at a glance, newest first.
import { api } from '../api.js';
import { formatValue, formatAgo, formatCount, formatRuntime } from '../lib/format.js';
import { h, replaceChildren } from './dom.js';
import { loadInto, emptyState } from './states.js';
import { connectHelp } from './connect_help.js';


export function renderAppsList(outlet, ctx) {
  const body = h('section.apps', { 'aria-labelledby': 'apps-title' });
  replaceChildren(outlet,
    h('div.page-header', {}, h('h1#apps-title', {}, 'Applications')),
    body);

  loadInto(body, { loadingText: 'Loading applications…',
    fetch: () => api.apps(ctx.signal),
    render: ({ apps }) => (apps.length === 0 ? noApps() : appsTable(apps)) });
}

function noApps() {
  return emptyState('No applications yet', connectHelp());
}

function appsTable(apps) {
  const now = Date.now() / 1000;
  const sorted = [...apps].sort((a, b) => (b.last_seen ?? 0) - (a.last_seen ?? 0)
    || a.name.localeCompare(b.name));
  return h('div.card.table-card', {},
    h('table.data-table.apps-table', {},
      h('caption.visually-hidden', {}, 'Applications and their health'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Application'),
        h('th.num', { scope: 'col', title: 'Average per process over the last 10 minutes, in % of one core '
          + '(siagent; the original agents send % of all cores)' }, 'CPU (% of a core)'),
        h('th.num', { scope: 'col' }, 'Memory (RSS)'),
        h('th.num', { scope: 'col' }, 'Errors / min'),
        h('th.num', { scope: 'col' }, 'Processes'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Last report'))),
      h('tbody', {}, sorted.map((app) => appRow(app, now)))));
}

function appRow(app, now) {
  const health = app.health ?? {};
  // Live: a process reports now (the server counts one that said it was ending, or has not
  // reported for its live time, as gone). The health figures are only current while live.
  const live = (app.processes_live ?? 0) > 0;
  const current = (value, unit) => (live ? formatValue(value, unit) : '–');
  const href = `#/apps/${encodeURIComponent(app.id)}/cpu`;
  const details = [...(app.runtimes ?? []).map((type) => formatRuntime(type, '')), ...(app.environments ?? []),
    ...(app.versions ?? []).map((v) => `v${v}`)];
  return h('tr', { dataset: { app: app.name } },
    h('th', { scope: 'row' },
      h('a.app-link', { href }, h('span', { class: `status-dot ${live ? 'live' : 'stale'}`,
        title: live ? 'Reporting' : 'Not reporting lately', 'aria-hidden': 'true' }), app.name),
      details.length ? h('div.row-details', {}, details.join(' · ')) : null),
    h('td.num', { dataset: { field: 'cpu' } }, current(health.cpu_usage, 'percent')),
    h('td.num', {}, current(health.rss_bytes, 'byte')),
    h('td.num', { class: live && health.errors_per_min > 0 ? 'has-errors' : '' },
      !live || health.errors_per_min === null || health.errors_per_min === undefined
        ? '–' : formatCount(health.errors_per_min)),
    h('td.num', {}, `${app.processes_active ?? 0} / ${app.processes_total ?? 0} active`),
    h('td', {}, app.anomalies_open > 0
      ? h('a.badge.badge-warning', { href: `#/apps/${encodeURIComponent(app.id)}/anomalies?range=24h`,
        title: 'Unacknowledged in the last 24 hours' },
      `${app.anomalies_open} ${app.anomalies_open === 1 ? 'anomaly' : 'anomalies'}`)
      : h('span.badge.badge-ok', {}, 'OK')),
    h('td', {}, h('span', { title: app.last_seen ? new Date(app.last_seen * 1000).toString() : '' },
      formatAgo(app.last_seen, now))));
}
