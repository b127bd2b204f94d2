// The sortable hot-spot table: self and total (value and share), function, file:line.
// Sorting and filtering are local to the table; rows come from the API or the tree.
import { sortHotspots, filterHotspots } from '../lib/hotspots.js';
import { formatLocation } from '../lib/frame_name.js';
import { formatValue, formatShare } from '../lib/format.js';
import { h, replaceChildren, uniqueId } from './dom.js';

/** Rows shown before "Show all": enough for every real question, cheap to draw. */
const FIRST_ROWS = 100;

const COLUMNS = [
  { key: 'self', label: 'Self', numeric: true },
  { key: 'total', label: 'Total', numeric: true },
  { key: 'function', label: 'Function' },
  { key: 'location', label: 'Location' },
];

/**
 * @param rows hot-spot rows ({function, file, line, self, total, self_share, total_share})
 * @param options.unit protocol unit of self/total
 * @param options.isLeak (row) => boolean: rows to mark as suspected leaks
 * @param options.onPick (row) => void when a function name is activated
 * @param options.onSandwich (row) => void when a row's "Sandwich" button is pressed
 */
export function hotspotTable(rows, { unit, isLeak = () => false, onPick, onSandwich } = {}) {
  const state = { column: 'self', direction: 'desc', filter: '', showAll: false };
  const filterId = uniqueId('hotspot-filter');
  const filterInput = h('input', { id: filterId, type: 'search', placeholder: 'Filter functions or files',
    oninput: () => { state.filter = filterInput.value; draw(); } });
  const headRow = h('tr');
  const body = h('tbody');
  const footer = h('div.table-footer');
  const table = h('table.data-table.hotspot-table', {},
    h('caption.visually-hidden', {}, 'Hot spots; use the column buttons to sort'),
    h('thead', {}, headRow), body);

  const sortBy = (column) => {
    if (state.column === column) state.direction = state.direction === 'desc' ? 'asc' : 'desc';
    else Object.assign(state, { column, direction: COLUMNS.find((c) => c.key === column).numeric ? 'desc' : 'asc' });
    draw();
  };

  const draw = () => {
    replaceChildren(headRow, COLUMNS.map((column) => {
      const sorted = state.column === column.key;
      return h('th', { scope: 'col', class: column.numeric ? 'num' : '',
        'aria-sort': sorted ? (state.direction === 'asc' ? 'ascending' : 'descending') : 'none' },
      h('button.sort-button', { type: 'button', dataset: { column: column.key },
        onclick: () => sortBy(column.key) },
      column.label, h('span.sort-arrow', { 'aria-hidden': 'true' },
        sorted ? (state.direction === 'asc' ? ' ▲' : ' ▼') : '')));
    }));
    const shown = sortHotspots(filterHotspots(rows, state.filter), state.column, state.direction);
    const visible = state.showAll ? shown : shown.slice(0, FIRST_ROWS);
    replaceChildren(body, visible.length
      ? visible.map((row) => hotspotRow(row, unit, isLeak(row), onPick, onSandwich))
      : h('tr', {}, h('td.empty-row', { colspan: COLUMNS.length }, 'No function matches the filter.')));
    replaceChildren(footer, shown.length > visible.length
      ? h('button.button.button-quiet', { type: 'button',
        onclick: () => { state.showAll = true; draw(); } }, `Show all ${shown.length} functions`)
      : h('span.muted', {}, `${shown.length} functions`));
  };
  draw();

  return h('div.hotspots', { 'data-testid': 'hotspot-table' },
    h('div.table-tools', {},
      h('p.table-legend.muted', {}, legend(unit)),
      h('label.visually-hidden', { for: filterId }, 'Filter hot spots'), filterInput),
    h('div.table-scroll', {}, table),
    footer);
}

function hotspotRow(row, unit, isLeak, onPick, onSandwich) {
  const location = formatLocation(row.file, row.line);
  return h('tr', { class: isLeak ? 'is-leak' : '', dataset: { function: row.function } },
    shareCell(row.self, row.self_share, unit),
    shareCell(row.total, row.total_share, unit),
    h('td.function-cell', {},
      onPick ? h('button.link-button', { type: 'button', title: 'Highlight in the flame graph',
        onclick: () => onPick(row) }, breakable(row.function)) : breakable(row.function),
      onSandwich ? h('button.link-button.badge', { type: 'button', 'aria-label': `Sandwich view of ${row.function}`,
        title: 'Its callers and callees', onclick: () => onSandwich(row) }, 'Sandwich') : null,
      isLeak ? h('span.badge.badge-danger', {}, 'suspected leak') : null),
    h('td.location-cell', { title: location }, location || '–'));
}

/** A function name with line-break opportunities after "::", "(", "," and "/" only. */
function breakable(name) {
  const parts = [];
  for (const piece of String(name).split(/(?<=::|[(,/])/)) parts.push(piece, h('wbr'));
  parts.pop();
  return parts;
}

/** What the two figures of a Self or Total cell are. */
function legend(unit) {
  const value = { percent: 'CPU in % of one core', byte: 'bytes', 'byte/s': 'bytes per second',
    'millisecond/s': 'time blocked per second (1 s/s: one thread blocked all the time)' }[unit] ?? 'value';
  return `Self and Total: ${value}, then the share of the whole profile.`;
}

function shareCell(value, share, unit) {
  const percent = Math.max(0, Math.min(100, (share ?? 0) * 100));
  return h('td.num.share-cell', {},
    h('span.share-bar', { 'aria-hidden': 'true', style: { width: `${percent.toFixed(1)}%` } }),
    h('span.share-value', { title: unit === 'percent' ? '% of one core' : '' }, formatValue(value, unit)),
    h('span.share-percent', { title: 'share of the whole profile' }, formatShare(share ?? 0)));
}
