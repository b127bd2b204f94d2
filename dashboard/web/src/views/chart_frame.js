// What every uPlot chart of the UI shares: drawing once its element is laid out (uPlot
// needs a width), following its size, letting go when it leaves the page (it is inserted
// right after creation, see flame_graph.js), the axes' look, the legend's time, and
// dragging across a chart to make the dragged span the page's range.
import uPlot from 'uplot';
import { formatValue, formatAxisTime, formatTime } from '../lib/format.js';
import { rangeParams } from '../lib/time_range.js';

/**
 * Draws `new uPlot(options(width), data, plot)` when `plot` has a width, resizes it with
 * `plot`, and destroys it once `owner`, having been in the document, has left it.
 */
export function drawWhenLaidOut(plot, owner, height, options, data) {
  let chart = null;
  let attached = false;  // owner has been in the document: leaving it then is for good
  const observer = new ResizeObserver(() => {
    const width = Math.floor(plot.clientWidth);
    if (!owner.isConnected) {
      // Not yet inserted (a view rendered before its panel is): wait for the insertion,
      // which resizes plot and calls again.
      if (!attached) return;
      observer.disconnect();
      chart?.destroy();
      return;
    }
    attached = true;
    if (width <= 0) return;
    if (chart) chart.setSize({ width, height });
    else chart = new uPlot({ ...options, width, height }, data, plot);
  });
  observer.observe(plot);
}

/**
 * Tick steps of a value axis: binary for bytes (1, 2, 4 … KiB, MiB), whole numbers for
 * counts (unit "count": a metric whose values are whole numbers, see isCount).
 */
function valueSteps(unit) {
  if (unit === 'byte' || unit === 'kilobyte') {
    const steps = [];
    for (let power = 0; power <= 50; ++power) steps.push(2 ** power);
    return steps;
  }
  if (unit === 'count') {
    const steps = [];
    for (let power = 0; power <= 15; ++power) for (const mantissa of [1, 2, 5]) steps.push(mantissa * 10 ** power);
    return steps;
  }
  return undefined;  // uPlot's decimal steps
}

/**
 * A time axis over [from, to] (labels as formatAxisTime: local, 24-hour, ISO dates) and a
 * value axis labelled in `unit` with steps that read well in it.
 */
export function timeAndValueAxes(scope, unit) {
  const look = { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e5e7eb' } };
  const span = scope.to - scope.from;
  const steps = valueSteps(unit);
  return {
    scales: { x: { time: true, min: scope.from, max: scope.to } },
    axes: [
      { ...look, size: 44, values: (u, ticks) => ticks.map((t, i) => formatAxisTime(t, span, i > 0 ? ticks[i - 1] : null)) },
      { ...look, size: 70, ...(steps ? { incrs: steps } : {}), values: (u, ticks) => valueLabels(u, ticks, unit) },
    ],
  };
}

/**
 * The value axis' labels; also kept on the chart's element as data-value-ticks (one a line),
 * since the canvas has no text a test or a screen reader could read.
 */
function valueLabels(u, ticks, unit) {
  const labels = ticks.map((v) => formatValue(v, unit));
  u.root.dataset.valueTicks = labels.join('\n');
  return labels;
}

/** The x series of a chart with a live legend: the time under the pointer, as the tables write it. */
export const TIME_SERIES = { label: 'Time', value: (u, v) => (v === null || v === undefined ? '–' : formatTime(v)) };

/**
 * Options that make a drag across the chart (not a click) set the page's range to the
 * dragged span: `update` gets the range's URL parameters, and the page renders from the URL.
 */
export function dragToRange(update) {
  return {
    cursor: { drag: { x: true, y: false, setScale: false } },
    hooks: { setSelect: [(u) => {
      const { left, width } = u.select;
      if (!update || width < 4) return;
      const from = Math.floor(u.posToVal(left, 'x'));
      const to = Math.ceil(u.posToVal(left + width, 'x'));
      if (to > from) update(rangeParams({ key: 'custom', from, to }));
    }] },
  };
}
