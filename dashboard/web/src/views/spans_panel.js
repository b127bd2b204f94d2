// Spans tab: the application's spans (count, p50/p95/p99, max, p95 trend against the
// previous period), the selected span's latency over the range, and its CPU, allocation
// or blocking profile restricted to samples taken inside it (?span=NAME&profile=cpu).
import { api } from '../api.js';
import { formatValue, formatCount } from '../lib/format.js';
import { selectedSpan, describeTrend, latencyColumns } from '../lib/span_trend.js';
import { h } from './dom.js';
import { loadInto, emptyState } from './states.js';
import { connectHelp } from './connect_help.js';
import { drawWhenLaidOut, timeAndValueAxes } from './chart_frame.js';
import { renderProfilePanel } from './profile_panel.js';

const CHART_HEIGHT = 200;
const PROFILES = [
  { kind: 'cpu', label: 'CPU' },
  { kind: 'alloc', label: 'Allocations' },
  { kind: 'block', label: 'Blocking' },
];
const PERCENTILES = [
  { key: 'p50', label: 'p50', stroke: '#10b981' },
  { key: 'p95', label: 'p95', stroke: '#4f46e5' },
  { key: 'p99', label: 'p99', stroke: '#d97706' },
];

export function renderSpansPanel(panel, ctx) {
  loadInto(panel, { loadingText: 'Loading spans…',
    fetch: () => api.spans(ctx.appId, ctx.scope, ctx.signal),
    render: ({ spans = [], truncated }) => (spans.length === 0 ? noSpans() : spansView(spans, truncated, ctx)) });
}

function noSpans() {
  return emptyState('No spans in this range',
    h('p', {}, 'Mark work in the application with siagent::Span (C++) or si_span_begin / si_span_end (C); ' +
      'each report then sends its latency. Connect an agent:'),
    connectHelp());
}

function spansView(spans, truncated, ctx) {
  const span = selectedSpan(spans, ctx.params.span);
  const profile = PROFILES.find((p) => p.kind === ctx.params.profile) ?? PROFILES[0];
  const profilePanel = h('section.span-profile', { 'aria-live': 'polite', dataset: { span: span.name } });
  const view = h('div.spans-view', {},
    h('div.card', {},
      h('div.card-header', {}, h('h2', {}, 'Spans'),
        h('p.muted', {}, 'Merged over the range: percentiles are count-weighted means of the reports\u2019.')),
      spanTable(spans, span, ctx.update),
      truncated ? h('p.muted', {}, 'Too many span reports in this range: some are left out. Narrow the range.') : null),
    latencyCard(span, ctx.scope),
    h('div.card', {},
      h('div.card-header', {}, h('h2', {}, `Inside ${span.name}`),
        h('div.chips', { role: 'group', 'aria-label': 'Profile inside the span' }, PROFILES.map((p) =>
          h('button.chip', { type: 'button', 'aria-pressed': String(p === profile), dataset: { profile: p.kind },
            onclick: () => ctx.update({ span: span.name, profile: p.kind }) }, h('span.chip-label', {}, p.label))))),
      profilePanel));
  renderProfilePanel(profilePanel, { appId: ctx.appId, kind: profile.kind, scope: { ...ctx.scope, span: span.name },
    range: ctx.range, update: ctx.update, signal: ctx.signal });
  return view;
}

function spanTable(spans, selected, update) {
  const header = ['Span', 'Count', 'p50', 'p95', 'p99', 'Max', 'p95 vs previous period'];
  return h('div.table-scroll', {}, h('table.data-table.spans-table', { 'data-testid': 'spans-table' },
    h('caption.visually-hidden', {}, 'Spans; choose one to see its latency and profiles'),
    h('thead', {}, h('tr', {}, header.map((text, i) => h('th', { scope: 'col', class: i > 0 && i < 6 ? 'num' : '' }, text)))),
    h('tbody', {}, spans.map((span) => {
      const trend = describeTrend(span.p95_change);
      return h('tr', { dataset: { span: span.name }, 'aria-selected': String(span === selected),
        class: span === selected ? 'is-selected' : '' },
      h('td', {}, h('button.link-button', { type: 'button', onclick: () => update({ span: span.name }) }, span.name)),
      h('td.num', {}, span.count === null ? '–' : formatCount(span.count)),
      ['p50_ms', 'p95_ms', 'p99_ms', 'max_ms'].map((key) => h('td.num', {}, formatValue(span[key], 'millisecond'))),
      h('td', { class: `trend trend-${trend.direction}`,
        title: span.previous_p95_ms === null ? 'No reports in the previous period'
          : `Previous p95 ${formatValue(span.previous_p95_ms, 'millisecond')}` }, trend.text));
    }))));
}

function latencyCard(span, scope) {
  const columns = latencyColumns(span.points ?? []);
  const plot = h('div.metric-plot', { role: 'img',
    'aria-label': `Latency of ${span.name}: p50, p95 and p99 over ${columns.times.length} points` });
  const card = h('figure.card.latency-card', { dataset: { span: span.name } },
    h('figcaption', {}, h('span.metric-name', {}, `Latency of ${span.name}`),
      PERCENTILES.map((p) => h('span.legend-item', { style: { color: p.stroke } }, `— ${p.label}`))),
    plot);
  drawWhenLaidOut(plot, card, CHART_HEIGHT, {
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    ...timeAndValueAxes(scope, 'millisecond'),
    series: [{}, ...PERCENTILES.map((p) => ({ label: p.label, stroke: p.stroke, width: 1.5, spanGaps: true,
      points: { show: columns.times.length < 60 } }))],
  }, [columns.times, ...PERCENTILES.map((p) => columns[p.key])]);
  return card;
}
