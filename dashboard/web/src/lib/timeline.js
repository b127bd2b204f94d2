// The profile timeline's arithmetic: zooming out of a range, and the chart's data with
// gaps where nothing was reported.

/**
 * The range twice as long as `range` around its middle, moved back so that it never ends
 * after `nowSeconds` (then it ends now) nor starts before 0. Always a custom range.
 */
export function zoomOutRange(range, nowSeconds) {
  const length = Math.max(1, range.to - range.from);
  const middle = (range.from + range.to) / 2;
  let to = Math.round(middle + length);
  to = Math.min(to, Math.floor(nowSeconds));
  const from = Math.max(0, to - 2 * length);
  return { key: 'custom', from, to: Math.max(to, from + 1), label: 'Custom range' };
}

/**
 * uPlot data [times, values] of a timeline's points ([[time, value], ...], one per bucket
 * with reports): a null after a point whose next bucket is missing, so the line breaks
 * where nothing was reported instead of bridging the gap.
 */
export function timelineData(points, bucketSeconds) {
  const times = [];
  const values = [];
  points.forEach(([time, value], i) => {
    times.push(time);
    values.push(value);
    const next = points[i + 1];
    if (next && next[0] - time > bucketSeconds) {
      times.push(time + bucketSeconds);
      values.push(null);
    }
  });
  return [times, values];
}
