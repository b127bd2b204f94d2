// The compare tab's table: per function, shares in A and B and their change, largest
// change first. Increases and decreases carry a word and an arrow, not only a colour.
import { formatLocation } from '../lib/frame_name.js';
import { formatShare, formatShareDelta } from '../lib/format.js';
import { h } from './dom.js';

const SHOWN_ROWS = 50;
const CHANGE_TEXT = { increase: '▲ more', decrease: '▼ less', same: 'same' };

export function diffTable(rows) {
  return h('div.table-scroll', { 'data-testid': 'diff-table' }, h('table.data-table.diff-table', {},
    h('caption.visually-hidden', {}, 'Change of share per function between A and B'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Function'), h('th', { scope: 'col' }, 'Location'),
      h('th.num', { scope: 'col' }, 'Self A'), h('th.num', { scope: 'col' }, 'Self B'),
      h('th.num', { scope: 'col' }, 'Δ self'),
      h('th.num', { scope: 'col' }, 'Total A'), h('th.num', { scope: 'col' }, 'Total B'),
      h('th.num', { scope: 'col' }, 'Δ total'), h('th', { scope: 'col' }, 'Change'))),
    h('tbody', {}, rows.slice(0, SHOWN_ROWS).map((row) => h('tr', {
      class: `change-${row.change}`, dataset: { function: row.function, change: row.change } },
    h('td.function-cell', {}, row.function,
      !row.in_a ? h('span.badge', {}, 'new') : null, !row.in_b ? h('span.badge', {}, 'gone') : null),
    h('td.location-cell', {}, formatLocation(row.file, row.line) || '–'),
    h('td.num', {}, formatShare(row.self_share_a)), h('td.num', {}, formatShare(row.self_share_b)),
    h('td.num.delta', {}, formatShareDelta(row.self_delta)),
    h('td.num', {}, formatShare(row.total_share_a)), h('td.num', {}, formatShare(row.total_share_b)),
    h('td.num.delta', {}, formatShareDelta(row.total_delta)),
    h('td.change-cell', {}, CHANGE_TEXT[row.change]))))));
}
