// Spans tab logic without the DOM: which span is selected, and how a p95 change reads.

/** The span the tab shows: the one named in the URL when it has data, else the first. */
export function selectedSpan(spans, requested) {
  if (!spans?.length) return null;
  return spans.find((span) => span.name === requested) ?? spans[0];
}

/** Changes smaller than this (relative) read as steady: report-to-report noise. */
const STEADY = 0.05;

/**
 * The p95 change against the previous period of the same length.
 * @param change relative change (0.25 = 25 % slower), or null when there is no previous data
 * @returns {{text, direction: 'up'|'down'|'steady'|'new'}}
 */
export function describeTrend(change) {
  if (change === null || change === undefined || !Number.isFinite(change)) return { text: 'new', direction: 'new' };
  const percent = `${Math.abs(change * 100).toFixed(1)} %`;
  if (change >= STEADY) return { text: `▲ ${percent} slower`, direction: 'up' };
  if (change <= -STEADY) return { text: `▼ ${percent} faster`, direction: 'down' };
  return { text: `≈ ${percent}`, direction: 'steady' };
}

/** Chart columns from the API's points [[time, count, p50, p95, p99], ...]: nulls stay gaps. */
export function latencyColumns(points) {
  const column = (index) => points.map((point) => point[index] ?? null);
  return { times: column(0), p50: column(2), p95: column(3), p99: column(4) };
}
