// Suspected leaks of the heap-in-use profile (the API's `leaks`): functions whose retained
// memory keeps growing. The same matcher marks their rows and frames elsewhere.
import { parseFrameName, formatLocation } from '../lib/frame_name.js';
import { formatBytes } from '../lib/format.js';
import { h } from './dom.js';

/**
 * (entry) => boolean for {function, file}: true when a leak names that function, in the
 * same file when the leak gives one. Lines are not compared: a leak's line is its
 * allocation site, a hot-spot row's line can be another line of the same function.
 */
export function leakMatcher(leaks) {
  const files = new Map();
  for (const leak of leaks ?? []) {
    if (!files.has(leak.function)) files.set(leak.function, new Set());
    files.get(leak.function).add(leak.file ?? null);
  }
  return (entry) => {
    const known = files.get(entry.function);
    return Boolean(known) && (known.has(null) || known.has(entry.file ?? null));
  };
}

/** The same matcher for flame-graph frame names. */
export function leakFrameMatcher(leaks) {
  const matches = leakMatcher(leaks);
  return (frameName) => matches(parseFrameName(frameName));
}

export function leaksCard(leaks) {
  if (!leaks?.length) {
    return h('div.card.leaks-card.leaks-none', { role: 'status' },
      h('h2', {}, 'Suspected leaks'),
      h('p.muted', {}, 'No allocation site keeps growing in this range.'));
  }
  const sorted = [...leaks].sort((a, b) => b.growth_bytes_per_s - a.growth_bytes_per_s);
  return h('div.card.leaks-card', { role: 'region', 'aria-label': 'Suspected leaks' },
    h('h2', {}, h('span.badge.badge-danger', {}, String(leaks.length)), ' Suspected leaks'),
    h('p.muted', {}, 'Retained memory of these sites grows steadily over the range. ' +
      'They are highlighted in the flame graph and the hot-spot table.'),
    h('table.data-table.leaks-table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Function'), h('th', { scope: 'col' }, 'Location'),
        h('th.num', { scope: 'col' }, 'Growth'))),
      h('tbody', {}, sorted.map((leak) => h('tr.is-leak', { dataset: { function: leak.function } },
        h('td', {}, leak.function),
        h('td.location-cell', {}, formatLocation(leak.file, leak.line) || '–'),
        h('td.num', {}, `${formatBytes(leak.growth_bytes_per_s)}/s`))))));
}
