// Errors tab: handled exceptions, one row per type and throw site (the server groups them
// the same across processes whatever their load addresses), with a chart of the rate, each
// group's other messages and its throw stack on demand; and crashes. The table fits the
// card: long messages are cut (the whole text on demand) and wrap, so the count and dates
// stay in view; the page scrolls, not a box inside it.
import { api } from '../api.js';
import { formatTime, formatCount } from '../lib/format.js';
import { h } from './dom.js';
import { loadInto, emptyState } from './states.js';
import { drawWhenLaidOut, timeAndValueAxes } from './chart_frame.js';

const RATE_CHART_HEIGHT = 120;

export function renderErrorsPanel(panel, { appId, scope, signal }) {
  loadInto(panel, { loadingText: 'Loading errors…',
    fetch: () => api.errors(appId, scope, signal),
    render: ({ exceptions = [], crashes = [], exceptions_per_bucket: perBucket = [], bucket_seconds: bucket = 60 }) =>
      h('div.errors-view', {}, exceptionsCard(exceptions, rateChart(perBucket, bucket, scope)), crashesCard(crashes)) });
}

/** Exceptions per minute over the range, or nothing when none was thrown. */
function rateChart(perBucket, bucketSeconds, scope) {
  if (perBucket.length === 0) return null;
  const perMinute = perBucket.map(([, count]) => count * 60 / bucketSeconds);
  const peak = Math.max(...perMinute);
  const plot = h('div.error-rate-plot', { role: 'img',
    'aria-label': `Exceptions per minute: ${perBucket.length} points, at most ${formatCount(peak)}` });
  const figure = h('figure.error-rate', {},
    h('figcaption', {}, h('span', {}, 'Exceptions per minute'), h('span.muted', {}, ` · at most ${formatCount(peak)}`)),
    plot);
  drawWhenLaidOut(plot, figure, RATE_CHART_HEIGHT, {
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    ...timeAndValueAxes(scope, 'count'),
    series: [{}, { label: 'per minute', stroke: '#dc2626', width: 1.5, fill: 'rgba(220, 38, 38, 0.08)',
      points: { show: perBucket.length < 60 } }],
  }, [perBucket.map(([time]) => time), perMinute]);
  return figure;
}

function exceptionsCard(exceptions, chart) {
  const sorted = [...exceptions].sort((a, b) => b.count - a.count);
  return h('div.card', { role: 'region', 'aria-label': 'Exceptions' },
    h('div.card-header', {}, h('h2', {}, 'Exceptions'),
      h('span.muted', {}, `${formatCount(sorted.reduce((sum, e) => sum + (e.count ?? 0), 0))} thrown`)),
    sorted.length === 0
      ? emptyState('No exceptions in this range', 'Handled C++ exceptions show up here, grouped by type and throw site.')
      : [chart, h('div.table-wrap', {}, h('table.data-table.exceptions-table', {},
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Message'),
          h('th', { scope: 'col' }, 'Thrown at'), h('th.num', { scope: 'col' }, 'Count'),
          h('th', { scope: 'col' }, 'Last seen'))),
        h('tbody', {}, sorted.map((e) => h('tr', { dataset: { type: e.type } },
          h('td.mono', {}, e.type),
          h('td.message', {}, messageCell(e.message ?? ''), otherMessages(e)),
          h('td.mono.site', {}, siteCell(e)),
          h('td.num', {}, formatCount(e.count)), h('td', {}, formatTime(e.last_seen)))))))]);
}

/** The group's other messages (the most frequent ones, with counts), on demand. */
function otherMessages(group) {
  const others = (group.messages ?? []).filter((m) => m.message !== group.message);
  const distinct = group.distinct_messages ?? 1;
  if (distinct <= 1) return null;
  const more = distinct - 1;
  return h('details.other-messages', {},
    h('summary', {}, `and ${more} other message${more === 1 ? '' : 's'}`),
    h('ul', {}, others.map((m) => h('li', {}, h('span.num', {}, `${formatCount(m.count)} × `), m.message)),
      more > others.length ? h('li.muted', {}, `${more - others.length} more not listed`) : null));
}

/** The throw site; the whole throw stack (innermost first) opens on demand. */
function siteCell(group) {
  const frames = group.frames ?? [];
  if (frames.length === 0) return group.site || '–';
  return h('details.throw-stack', {},
    h('summary', { title: 'Show the throw stack' }, group.site || frames[0]),
    h('ol.stack', {}, frames.map((frame) => h('li.mono', {}, frame))));
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
            h('span.mono', {}, crash.top_frame || 'unknown frame'),
            crash.exception ? h('span.crash-exception', {}, ` · uncaught ${crash.exception}`) : null,
            h('span.muted', {}, ` · ${formatTime(crash.time)} · ${crash.host ?? '?'} pid ${crash.pid ?? '?'}` +
              (crash.version ? ` · v${crash.version}` : ''))),
          h('ol.stack', {}, (crash.frames ?? []).map((frame) => h('li.mono', {}, frame))))))));
}
