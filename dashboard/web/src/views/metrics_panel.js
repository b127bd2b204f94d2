// Metrics tab: one uPlot line chart per metric, grouped by category, merged over the
// processes or, with "Per process" (group=process in the URL), a line per process with a
// legend naming its host and pid; the series' anomalies in the range are marked (a dashed
// line at each, and a count in the caption). The time and values under the pointer show
// below a chart; dragging across one sets the page's range to the dragged span. Counters
// read per second (the server divides each bucket's sum by its width); counts (threads,
// open files) step in whole numbers.
import { api } from '../api.js';
import { formatValue, formatTime } from '../lib/format.js';
import { chartsOf, lineLabel, isCount, alignedData } from '../lib/metric_series.js';
import { h } from './dom.js';
import { loadInto, emptyState } from './states.js';
import { connectHelp } from './connect_help.js';
import { drawWhenLaidOut, timeAndValueAxes, dragToRange, TIME_SERIES } from './chart_frame.js';

const CHART_HEIGHT = 160;
const CATEGORY_ORDER = ['cpu', 'memory', 'gc', 'runtime', 'span'];
const CATEGORY_TITLES = { cpu: 'CPU', memory: 'Memory', gc: 'Garbage collection', runtime: 'Runtime', span: 'Spans' };
// What a series' figures are, where the unit alone does not say (siagent sends CPU usage in
// % of one core, as its CPU profile and top do).
const SERIES_NOTES = { 'cpu/CPU usage': ' of one core' };

// Line colours, one per process (at most 20 and the others' sum).
const LINE_COLOURS = ['#4f46e5', '#0891b2', '#d97706', '#16a34a', '#db2777', '#7c3aed', '#dc2626', '#0d9488',
  '#ca8a04', '#2563eb', '#9333ea', '#ea580c', '#059669', '#be185d', '#4d7c0f', '#0369a1', '#a16207', '#6d28d9',
  '#b91c1c', '#15803d', '#6b7280'];

export function renderMetricsPanel(panel, { appId, scope, params, signal, update }) {
  const perProcess = params?.group === 'process';
  loadInto(panel, { loadingText: 'Loading metrics…',
    fetch: () => Promise.all([api.metrics(appId, scope, signal, perProcess ? 'process' : undefined),
      // Markers are extras: without the anomaly list the charts still show.
      api.anomalies(appId, { from: scope.from, to: scope.to }, signal).catch((error) => {
        if (error.name === 'AbortError') throw error;
        return { anomalies: [] };
      })]),
    render: ([{ series = [] }, { anomalies = [] }]) => {
      const charts = chartsOf(series.filter((s) => s.points?.length));
      return charts.length === 0
        ? emptyState('No metrics in this range', h('p', {}, 'Agents send process metrics every 60 s.'), connectHelp())
        : h('div.metrics-view', {}, groupingToggle(perProcess, update), metricsView(charts, scope, anomalies, update));
    } });
}

/** "Merged / Per process": how the charts show several processes (group in the URL). */
function groupingToggle(perProcess, update) {
  const choice = (label, group, pressed) => h('button.chip', { type: 'button', 'aria-pressed': String(pressed),
    onclick: () => { if (!pressed) update({ group }); } }, label);
  return h('div.metric-grouping', { role: 'group', 'aria-label': 'Processes' },
    choice('Merged', null, !perProcess), choice('Per process', 'process', perProcess));
}

function metricsView(charts, scope, anomalies, update) {
  const rank = (category) => {
    const index = CATEGORY_ORDER.indexOf(category);
    return index < 0 ? CATEGORY_ORDER.length : index;
  };
  const categories = [...new Set(charts.map((c) => c.category))]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return categories.map((category) => h('section.metric-group', {},
    h('h2', {}, CATEGORY_TITLES[category] ?? category),
    h('div.metric-grid', {}, charts.filter((c) => c.category === category)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => metricChart(c, scope,
        anomalies.filter((a) => a.category === c.category && a.name === c.name
          && (!scope.host || a.host === scope.host) && (!scope.environment || a.environment === scope.environment)),
        update)))));
}

/** The unit a chart's points read in: a counter's are per second; a count's whole numbers. */
function pointUnit(chart) {
  if (chart.type === 'counter') return `${chart.unit ?? ''}/s`;
  return isCount(chart) ? 'count' : chart.unit;
}

function metricChart(chart, scope, anomalies, update) {
  const unit = pointUnit(chart);
  const perProcess = chart.lines[0].pid !== undefined;
  const points = Math.max(...chart.lines.map((line) => line.points.length));
  const last = chart.lines[0].points[chart.lines[0].points.length - 1][1];
  // Merged: the latest value; per process: how many processes (each line names its own).
  const processes = chart.lines.reduce((sum, line) => sum + (line.processes ?? 1), 0);
  const latest = perProcess ? `${processes} ${processes === 1 ? 'process' : 'processes'}`
    : [formatValue(last, unit), SERIES_NOTES[`${chart.category}/${chart.name}`] ?? ''];
  const plot = h('div.metric-plot', { role: 'img',
    'aria-label': `${chart.name}: ${points} points, ` +
      (perProcess ? chart.lines.map((line) => lineLabel(line, chart.name)).join(', ') : `latest ${formatValue(last, unit)}`) });
  const card = h('figure.card.metric-card', { dataset: { metric: `${chart.category}/${chart.name}` } },
    h('figcaption', {}, h('span.metric-name', {}, chart.name), h('span.metric-latest', {}, latest),
      anomalies.length ? h('span.badge.badge-warning.metric-anomalies', {
        title: anomalies.map((a) => `${formatTime(a.time)} · ${a.host} · ${formatValue(a.value, chart.unit)}`).join('\n') },
      `${anomalies.length} ${anomalies.length === 1 ? 'anomaly' : 'anomalies'}`) : null),
    plot);
  drawWhenLaidOut(plot, card, CHART_HEIGHT, chartOptions(chart, unit, scope, anomalies.map((a) => a.time), update),
    alignedData(chart.lines));
  return card;
}

/** A uPlot hook drawing a dashed vertical line at each of `times` (Unix seconds). */
function markTimes(times) {
  return (u) => {
    const { ctx, bbox } = u;
    ctx.save();
    ctx.strokeStyle = '#d97706';
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    for (const time of times) {
      const x = Math.round(u.valToPos(time, 'x', true));
      if (x < bbox.left || x > bbox.left + bbox.width) continue;
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
    }
    ctx.restore();
  };
}

function chartOptions(chart, unit, scope, anomalyTimes, update) {
  const merged = chart.lines[0].pid === undefined;
  const drag = dragToRange(update);
  return {
    legend: { show: true, live: true },
    hooks: { draw: [markTimes(anomalyTimes)], ...drag.hooks },
    cursor: drag.cursor,
    ...timeAndValueAxes(scope, unit),
    series: [TIME_SERIES,
      ...chart.lines.map((line, i) => ({ label: lineLabel(line, chart.name),
        stroke: LINE_COLOURS[Math.min(i, LINE_COLOURS.length - 1)], width: 1.5,
        fill: merged ? 'rgba(79, 70, 229, 0.08)' : undefined,
        value: (u, v) => formatValue(v, unit), points: { show: line.points.length < 60 } }))],
  };
}
