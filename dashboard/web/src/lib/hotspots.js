// Hot-spot rows computed from an inclusive call tree, and their ordering: the definition of
// core/hotspot_ranking.h (self at the innermost frame, total once per stack, ranked by self,
// then total), which `siagent top` and the server's table share; this is its one copy for
// trees the browser already holds (filtered and compared views), tested on the same cases
// (test/core/hotspot_ranking_test.cpp).
// Invariant of the input (dashboard-api.md): a node's value = sum of its children's
// values + its own self value. Rows follow the API's `hotspots` shape so tables can show
// either the server's rows or these.
import { parseFrameName, functionKey } from './frame_name.js';

/**
 * @param {{name: string, value: number, children?: object[]}} root  the tree's root
 *   (its own name is not a frame; its children are the outermost frames)
 * @returns {Array<{function, file, line, self, total, self_share, total_share}>}
 */
export function hotspotsFromTree(root) {
  const rows = new Map();
  const treeTotal = Number(root?.value) || 0;
  // Depth-first with an explicit stack so deep trees cannot overflow the call stack.
  // `open` counts, per function key, how many ancestors on the current path have that
  // key, so a recursive function's total counts only its outermost occurrence.
  const open = new Map();
  const stack = (root?.children ?? []).map((node) => ({ node, leaving: false })).reverse();
  while (stack.length > 0) {
    const { node, leaving } = stack.pop();
    const frame = parseFrameName(node.name);
    const key = functionKey(frame);
    if (leaving) {
      open.set(key, open.get(key) - 1);
      continue;
    }
    const value = Number(node.value) || 0;
    const children = node.children ?? [];
    const childrenValue = children.reduce((sum, child) => sum + (Number(child.value) || 0), 0);
    let row = rows.get(key);
    if (!row) {
      row = { ...frame, self: 0, total: 0 };
      rows.set(key, row);
    }
    row.self += Math.max(0, value - childrenValue);
    if (!open.get(key)) row.total += value;
    open.set(key, (open.get(key) ?? 0) + 1);
    stack.push({ node, leaving: true });
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], leaving: false });
  }
  return [...rows.values()].map((row) => ({
    ...row,
    self_share: treeTotal > 0 ? row.self / treeTotal : 0,
    total_share: treeTotal > 0 ? row.total / treeTotal : 0,
  }));
}

/** Columns a hot-spot table can sort by, and how each compares. */
const COMPARATORS = {
  self: (a, b) => a.self - b.self,
  total: (a, b) => a.total - b.total,
  function: (a, b) => a.function.localeCompare(b.function),
  location: (a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0),
};

export const SORTABLE_COLUMNS = Object.keys(COMPARATORS);

/**
 * A new array ordered by `column`; ties fall back to total, then function name, so the
 * order is stable across renders.
 */
export function sortHotspots(rows, column, direction) {
  const compare = COMPARATORS[column] ?? COMPARATORS.self;
  const sign = direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) =>
    sign * compare(a, b) || b.total - a.total || a.function.localeCompare(b.function));
}

/** Rows whose function, file or location contains `text` (case-insensitive). */
export function filterHotspots(rows, text) {
  const needle = text.trim().toLowerCase();
  if (!needle) return rows;
  return rows.filter((row) =>
    `${row.function} ${row.file ?? ''}:${row.line ?? ''}`.toLowerCase().includes(needle));
}
