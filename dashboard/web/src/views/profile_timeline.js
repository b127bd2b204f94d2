// The timeline above every profile: the profile's total per time bucket over the page's
// range (GET …/profile/timeline: each bucket's value is what the profile's Total would be
// over that bucket alone), in the profile's unit, per second for rates. Dragging across it
// sets the page's range to the dragged span (in the URL, as the metric charts do); "Zoom out"
// doubles the range around its middle, never past now; the value under the pointer shows
// below it. The line breaks where nothing was reported.
import { formatValue } from '../lib/format.js';
import { rangeParams } from '../lib/time_range.js';
import { zoomOutRange, timelineData } from '../lib/timeline.js';
import { h } from './dom.js';
import { drawWhenLaidOut, timeAndValueAxes, dragToRange, TIME_SERIES } from './chart_frame.js';

const TIMELINE_HEIGHT = 110;

/** @param timeline the API's answer; @param unit the profile's display unit (profileUnit) */
export function profileTimeline(timeline, { unit, scope, range, update }) {
  const points = timeline.points ?? [];
  const plot = h('div.timeline-plot', { role: 'img',
    'aria-label': `Profile over time: ${points.length} points` +
      (points.length ? `, peak ${formatValue(Math.max(...points.map(([, v]) => v)), unit)}` : '') });
  const card = h('div.card.timeline-card', { dataset: { testid: 'profile-timeline' } },
    h('div.card-header', {},
      h('h2', {}, 'Over time', h('span.muted.timeline-unit', {}, ` · ${unitText(unit)} · drag to zoom in`)),
      h('div.card-tools', {},
        h('button.button.button-quiet', { type: 'button', title: 'Twice the range, around its middle',
          onclick: () => update(rangeParams(zoomOutRange(range, Date.now() / 1000))) }, 'Zoom out'))),
    plot);
  const drag = dragToRange(update);
  const axes = timeAndValueAxes(scope, unit);
  drawWhenLaidOut(plot, card, TIMELINE_HEIGHT, {
    legend: { show: true, live: true },
    hooks: drag.hooks,
    cursor: drag.cursor,
    ...axes,
    // From 0: a total's changes read at their true size.
    scales: { ...axes.scales, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    series: [TIME_SERIES, { label: 'Total', stroke: '#4f46e5', width: 1.5, fill: 'rgba(79, 70, 229, 0.08)',
      value: (u, v) => formatValue(v, unit), points: { show: points.length < 60 } }],
  }, timelineData(points, timeline.bucket_seconds ?? 60));
  return card;
}

/** What the values are in: "in %/s"-like words for the axis' unit. */
function unitText(unit) {
  const names = { percent: '% of one core', byte: 'bytes', kilobyte: 'bytes', millisecond: 'time',
    microsecond: 'time', nanosecond: 'time', '': 'count', count: 'count' };
  const rate = typeof unit === 'string' && unit.endsWith('/s');
  const base = rate ? unit.slice(0, -2) : unit;
  return `${names[base] ?? base}${rate ? ' per second (/s)' : ''}`;
}
