// Metrics tab: one uPlot line chart per series, grouped by category, with the series'
// anomalies in the range marked (a dashed line at each, and a count in the caption). The
// time and value under the pointer show below a chart; dragging across one sets the page's
// range to the dragged span. Counters read per second (the server divides each bucket's
// sum by its width).
import { api } from '../api.js';
import { formatValue, formatTime } from '../lib/format.js';
import { rangeParams } from '../lib/time_range.js';
import { h } from './dom.js';
import { loadInto, emptyState } from './states.js';
import { connectHelp } from './connect_help.js';
import { drawWhenLaidOut, timeAndValueAxes } from './chart_frame.js';

const CHART_HEIGHT = 160;
const CATEGORY_ORDER = ['cpu', 'memory', 'gc', 'runtime', 'span'];
const CATEGORY_TITLES = { cpu: 'CPU', memory: 'Memory', gc: 'Garbage collection', runtime: 'Runtime', span: 'Spans' };
// What a series' figures are, where the unit alone does not say (siagent sends CPU usage in
// % of one core, as its CPU profile and top do).
const SERIES_NOTES = { 'cpu/CPU usage': ' of one core' };

export function renderMetricsPanel(panel, { appId, scope, signal, update }) {
  loadInto(panel, { loadingText: 'Loading metrics…',
    fetch: () => Promise.all([api.metrics(appId, scope, signal),
      // Markers are extras: without the anomaly list the charts still show.
      api.anomalies(appId, { from: scope.from, to: scope.to }, signal).catch((error) => {
        if (error.name === 'AbortError') throw error;
        return { anomalies: [] };
      })]),
    render: ([{ series = [] }, { anomalies = [] }]) => {
      const withPoints = series.filter((s) => s.points?.length);
      return withPoints.length === 0
        ? emptyState('No metrics in this range', h('p', {}, 'Agents send process metrics every 60 s.'), connectHelp())
        : metricsView(withPoints, scope, anomalies, update);
    } });
}

function metricsView(series, scope, anomalies, update) {
  const rank = (category) => {
    const index = CATEGORY_ORDER.indexOf(category);
    return index < 0 ? CATEGORY_ORDER.length : index;
  };
  const categories = [...new Set(series.map((s) => s.category))]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return h('div.metrics-view', {}, categories.map((category) => h('section.metric-group', {},
    h('h2', {}, CATEGORY_TITLES[category] ?? category),
    h('div.metric-grid', {}, series.filter((s) => s.category === category)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => metricChart(s, scope,
        anomalies.filter((a) => a.category === s.category && a.name === s.name
          && (!scope.host || a.host === scope.host) && (!scope.environment || a.environment === scope.environment)),
        update))))));
}

/** The unit a series' points read in: a counter's are per second. */
function pointUnit(series) {
  return series.type === 'counter' ? `${series.unit ?? ''}/s` : series.unit;
}

function metricChart(series, scope, anomalies, update) {
  const last = series.points[series.points.length - 1][1];
  const unit = pointUnit(series);
  const plot = h('div.metric-plot', { role: 'img',
    'aria-label': `${series.name}: ${series.points.length} points, latest ${formatValue(last, series.unit)}` });
  const card = h('figure.card.metric-card', { dataset: { metric: `${series.category}/${series.name}` } },
    h('figcaption', {}, h('span.metric-name', {}, series.name),
      h('span.metric-latest', {}, formatValue(last, unit),
        SERIES_NOTES[`${series.category}/${series.name}`] ?? ''),
      anomalies.length ? h('span.badge.badge-warning.metric-anomalies', {
        title: anomalies.map((a) => `${formatTime(a.time)} · ${a.host} · ${formatValue(a.value, series.unit)}`).join('\n') },
      `${anomalies.length} ${anomalies.length === 1 ? 'anomaly' : 'anomalies'}`) : null),
    plot);
  drawWhenLaidOut(plot, card, CHART_HEIGHT, chartOptions(series, unit, scope, anomalies.map((a) => a.time), update),
    [series.points.map((p) => p[0]), series.points.map((p) => p[1])]);
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

/** A uPlot hook: a drag across the chart (not a click) makes its span the page's range. */
function zoomTo(update) {
  return (u) => {
    const { left, width } = u.select;
    if (!update || width < 4) return;
    const from = Math.floor(u.posToVal(left, 'x'));
    const to = Math.ceil(u.posToVal(left + width, 'x'));
    if (to > from) update(rangeParams({ key: 'custom', from, to }));
  };
}

function chartOptions(series, unit, scope, anomalyTimes, update) {
  return {
    legend: { show: true, live: true },
    hooks: { draw: [markTimes(anomalyTimes)], setSelect: [zoomTo(update)] },
    cursor: { drag: { x: true, y: false, setScale: false } },
    ...timeAndValueAxes(scope, unit),
    series: [{ label: 'Time', value: (u, v) => (v === null || v === undefined ? '–' : formatTime(v)) },
      { label: series.name, stroke: '#4f46e5', width: 1.5, fill: 'rgba(79, 70, 229, 0.08)',
        value: (u, v) => formatValue(v, unit), points: { show: series.points.length < 60 } }],
  };
}
