// A flame graph (icicle: outermost frames on top) of an inclusive call tree, drawn by
// d3-flame-graph at the width of its container and redrawn when that width changes.
import flamegraph, { colorMapper } from 'd3-flame-graph';
import { select } from 'd3-selection';
import { formatValue, formatShare, formatShareDelta } from '../lib/format.js';
import { shortFrameLabel } from '../lib/frame_name.js';
import { h } from './dom.js';

const CELL_HEIGHT = 18;

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * @param tree {name, value, children} with inclusive values (and `delta`, `share_a`,
 *   `share_b` when `differential`)
 * @param options.unit protocol unit of the values, for labels
 * @param options.highlight (frameName) => boolean: frames drawn in the alert colour
 * @param options.differential colour by `delta` (red grew, blue shrank) instead of by name
 * @returns {{element, search(text), resetZoom()}}
 */
export function flameGraph(tree, { unit, highlight, differential = false, label = 'Flame graph' } = {}) {
  const hint = 'Hover a frame for details; click to zoom.';
  const details = h('p.flame-details', { 'aria-hidden': 'true' }, hint);
  const matches = h('p.flame-matches', { role: 'status' });
  const canvas = h('div.flame-canvas', { role: 'group', 'aria-label': `${label}: ${tree.name}` });
  const element = h('div.flame-graph', { 'data-testid': 'flame-graph' }, canvas, details, matches);
  const rootValue = Number(tree.value) || 0;
  // Leaving the graph clears the last frame's text.
  canvas.addEventListener('mouseleave', () => { details.textContent = hint; });

  // The full name, the frame's total and its self value (what no child accounts for).
  const describe = (node) => {
    const name = node.depth === 0 ? 'all' : node.data.name;
    const self = Math.max(0, node.value - (node.children ?? []).reduce((sum, child) => sum + child.value, 0));
    const base = `${name} — total ${formatValue(node.value, unit)} (${formatShare(rootValue ? node.value / rootValue : 0)})` +
      `, self ${formatValue(self, unit)} (${formatShare(rootValue ? self / rootValue : 0)})`;
    if (!differential) return base;
    return `${base}; share ${formatShare(node.data.share_a)} → ${formatShare(node.data.share_b)}` +
      ` (${formatShareDelta((node.data.share_b ?? 0) - (node.data.share_a ?? 0))})`;
  };

  const chart = flamegraph()
    .cellHeight(CELL_HEIGHT)
    .inverted(true)
    .minFrameSize(1)
    .transitionDuration(200)
    .sort(false)
    .setLabelHandler(describe)
    .setDetailsElement(details)
    .setSearchHandler((results, sum, total) => {
      matches.textContent = searching
        ? `${results.length} ${results.length === 1 ? 'frame matches' : 'frames match'}: ` +
          `${formatValue(sum, unit)}, ${formatShare(total ? sum / total : 0)} of the total`
        : '';
    })
    // Search matches the full name, as the hot-spot table shows it, not the short label.
    .setSearchMatch((node, term) => Boolean(term) && node.depth > 0 && new RegExp(term).test(node.data.name))
    .getName((node) => (node.depth === 0 ? 'all' : shortFrameLabel(node.data.name)));
  let searching = false;
  if (differential) {
    chart.setColorMapper(colorMapper.differentialColorMapper);
  } else if (highlight) {
    chart.setColorMapper((node, original) =>
      (node.depth > 0 && highlight(node.data.name) ? 'rgb(214, 51, 108)' : original));
  }

  // Keyboard: every frame is focusable (Tab, or the arrow keys between frames in document
  // order), Enter or Space zooms into it as a click does, Escape zooms out; a focused frame's
  // details show as a hovered one's. Frames come and go with each drawing: labelled again
  // after every change to the drawing.
  const labelFrames = () => {
    for (const frame of canvas.querySelectorAll('g[name]')) {
      if (frame.getAttribute('tabindex') === '0') continue;
      frame.setAttribute('tabindex', '0');
      frame.setAttribute('role', 'button');
      frame.setAttribute('aria-label', frame.getAttribute('name'));
    }
  };
  let labelling = 0;
  new MutationObserver(() => {
    if (!labelling) labelling = requestAnimationFrame(() => { labelling = 0; labelFrames(); });
  }).observe(canvas, { childList: true, subtree: true });
  canvas.addEventListener('focusin', (event) => {
    const frame = event.target.closest?.('g[name]');
    const node = frame && select(frame).datum();
    if (node) details.textContent = describe(node);
  });
  canvas.addEventListener('keydown', (event) => {
    const frame = event.target.closest?.('g[name]');
    if (event.key === 'Escape') {
      chart.resetZoom();
    } else if (frame && (event.key === 'Enter' || event.key === ' ')) {
      frame.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    } else if (frame && (event.key === 'ArrowRight' || event.key === 'ArrowLeft')) {
      const frames = [...canvas.querySelectorAll('g[name][tabindex="0"]')];
      const next = frames[frames.indexOf(frame) + (event.key === 'ArrowRight' ? 1 : -1)];
      next?.focus();
    } else {
      return;
    }
    event.preventDefault();
  });

  let drawnWidth = 0;
  let pendingSearch = '';  // a search asked for before the first drawing
  const draw = () => {
    const width = Math.floor(canvas.clientWidth);
    if (width <= 0 || Math.abs(width - drawnWidth) < 4) return;
    if (drawnWidth === 0) {
      chart.width(width);
      select(canvas).datum(tree).call(chart);
      if (pendingSearch) chart.search(escapeRegExp(pendingSearch));
    } else {
      chart.width(width).update();
    }
    drawnWidth = width;
  };
  // Callers insert the element right after creating it (before the observer's first
  // callback, which comes at the next frame). The observer then fires on every resize,
  // including the one to nothing when the element leaves the page: it lets go there.
  let attached = false;  // element has been in the document: leaving it then is for good
  const observer = new ResizeObserver(() => {
    if (!element.isConnected) {
      if (attached) observer.disconnect();
      return;
    }
    attached = true;
    draw();
  });
  observer.observe(canvas);

  return {
    element,
    search: (text) => {
      searching = Boolean(text);
      if (drawnWidth === 0) pendingSearch = text;
      else if (text) chart.search(escapeRegExp(text));
      else {
        chart.clear();
        matches.textContent = '';
      }
    },
    resetZoom: () => chart.resetZoom(),
  };
}
