// What every uPlot chart of the UI shares: drawing once its element is laid out (uPlot
// needs a width), following its size, letting go when it leaves the page (it is inserted
// right after creation, see flame_graph.js), and the axes' look.
import uPlot from 'uplot';
import { formatValue } from '../lib/format.js';

/**
 * Draws `new uPlot(options(width), data, plot)` when `plot` has a width, resizes it with
 * `plot`, and destroys it once `owner` is no longer in the document.
 */
export function drawWhenLaidOut(plot, owner, height, options, data) {
  let chart = null;
  const observer = new ResizeObserver(() => {
    const width = Math.floor(plot.clientWidth);
    if (!owner.isConnected) {
      observer.disconnect();
      chart?.destroy();
      return;
    }
    if (width <= 0) return;
    if (chart) chart.setSize({ width, height });
    else chart = new uPlot({ ...options, width, height }, data, plot);
  });
  observer.observe(plot);
}

/** A time axis over [from, to] and a value axis labelled in `unit`. */
export function timeAndValueAxes(scope, unit) {
  const look = { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e5e7eb' } };
  return {
    scales: { x: { time: true, min: scope.from, max: scope.to } },
    axes: [look, { ...look, size: 70, values: (u, ticks) => ticks.map((v) => formatValue(v, unit)) }],
  };
}
