// The metrics tab's data: the API's series grouped into one chart per metric (one line per
// process with group=process), the legend's names, uPlot's aligned columns, and which
// metrics are counts (whole-number axis ticks).

/** The API's series by metric, in first-seen order: [{category, name, unit, type, lines: [series]}]. */
export function chartsOf(series) {
  const charts = new Map();
  for (const s of series) {
    const key = `${s.category}/${s.name}`;
    if (!charts.has(key)) charts.set(key, { category: s.category, name: s.name, unit: s.unit, type: s.type, lines: [] });
    charts.get(key).lines.push(s);
  }
  return [...charts.values()];
}

/** A line's name in the legend: "web-1 · pid 4702", the other processes' sum, or the metric's name. */
export function lineLabel(line, metricName) {
  if (line.pid !== undefined && line.pid !== null) return `${line.host || 'unknown host'} · pid ${line.pid}`;
  if (line.processes > 0 && line.host === null) {
    return `other ${line.processes} ${line.processes === 1 ? 'process' : 'processes'} (sum)`;
  }
  return metricName;
}

/**
 * A count (threads, open files): a state in unit "" or "count" whose values are all whole
 * numbers, as the server decides which states add up over processes. Its axis steps in
 * whole numbers.
 */
export function isCount(chart) {
  if (chart.type !== 'state' || !(chart.unit === '' || chart.unit === 'count' || chart.unit === undefined)) return false;
  return chart.lines.every((line) => line.points.every(([, value]) => Number.isInteger(value)));
}

/** uPlot's columns for `lines`: every line's times merged, each line null where it has no point. */
export function alignedData(lines) {
  const times = [...new Set(lines.flatMap((line) => line.points.map(([time]) => time)))].sort((a, b) => a - b);
  const index = new Map(times.map((time, i) => [time, i]));
  return [times, ...lines.map((line) => {
    const values = new Array(times.length).fill(null);
    for (const [time, value] of line.points) values[index.get(time)] = value;
    return values;
  })];
}
