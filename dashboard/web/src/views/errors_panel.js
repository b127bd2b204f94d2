// Errors tab: handled exceptions (grouped by type, message and site) and crashes. The table
// fits the card: long messages are cut (the whole text on demand) and wrap, so the count and
// dates stay in view; the page scrolls, not a box inside it.
import { api } from '../api.js';
import { formatTime, formatCount } from '../lib/format.js';
import { h } from './dom.js';
import { loadInto, emptyState } from './states.js';

export function renderErrorsPanel(panel, { appId, scope, signal }) {
  loadInto(panel, { loadingText: 'Loading errors…',
    fetch: () => api.errors(appId, scope, signal),
    render: ({ exceptions = [], crashes = [] }) =>
      h('div.errors-view', {}, exceptionsCard(exceptions), crashesCard(crashes)) });
}

function exceptionsCard(exceptions) {
  const sorted = [...exceptions].sort((a, b) => b.count - a.count);
  return h('div.card', { role: 'region', 'aria-label': 'Exceptions' },
    h('div.card-header', {}, h('h2', {}, 'Exceptions'),
      h('span.muted', {}, `${formatCount(sorted.reduce((sum, e) => sum + (e.count ?? 0), 0))} thrown`)),
    sorted.length === 0
      ? emptyState('No exceptions in this range', 'Handled C++ exceptions show up here, grouped by throw site.')
      : h('div.table-wrap', {}, h('table.data-table.exceptions-table', {},
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Message'),
          h('th', { scope: 'col' }, 'Thrown at'), h('th.num', { scope: 'col' }, 'Count'),
          h('th', { scope: 'col' }, 'Last seen'))),
        h('tbody', {}, sorted.map((e) => h('tr', {},
          h('td.mono', {}, e.type), h('td.message', {}, messageCell(e.message ?? '')), h('td.mono.site', {}, e.site ?? '–'),
          h('td.num', {}, formatCount(e.count)), h('td', {}, formatTime(e.last_seen))))))));
}

/** Messages past MESSAGE_PREVIEW characters show their start; the rest opens on demand. */
const MESSAGE_PREVIEW = 120;

function messageCell(message) {
  if (message.length <= MESSAGE_PREVIEW) return message;
  return h('details.long-message', {},
    h('summary', { title: 'Show the whole message' }, `${message.slice(0, MESSAGE_PREVIEW - 1)}…`),
    h('div.full-message', {}, message));
}

function crashesCard(crashes) {
  const sorted = [...crashes].sort((a, b) => b.time - a.time);
  return h('div.card', { role: 'region', 'aria-label': 'Crashes' },
    h('div.card-header', {}, h('h2', {}, 'Crashes'), h('span.muted', {}, `${sorted.length} in range`)),
    sorted.length === 0
      ? emptyState('No crashes in this range', 'Fatal signals (SIGSEGV, SIGABRT, …) are recorded with their stack.')
      : h('ul.crash-list', {}, sorted.map((crash) => h('li.crash', {},
        h('details', {},
          h('summary', {},
            h('span.badge.badge-danger', {}, crash.signal),
            h('span.mono', {}, crash.top_frame ?? 'unknown frame'),
            h('span.muted', {}, ` · ${formatTime(crash.time)} · ${crash.host ?? '?'} pid ${crash.pid ?? '?'}` +
              (crash.version ? ` · v${crash.version}` : ''))),
          h('ol.stack', {}, (crash.frames ?? []).map((frame) => h('li.mono', {}, frame))))))));
}
