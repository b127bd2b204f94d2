// Comparison of two profiles by shares (a node's or function's value over its tree's
// total), so that ranges of different lengths or versions with different traffic compare
// fairly. A is the baseline, B the one being judged.
import { functionKey } from './frame_name.js';
import { hotspotsFromTree } from './hotspots.js';

/** Changes smaller than this share (0.1 percentage point) count as unchanged. */
export const SHARE_CHANGE_THRESHOLD = 0.001;

export function classifyChange(delta, threshold = SHARE_CHANGE_THRESHOLD) {
  if (delta > threshold) return 'increase';
  if (delta < -threshold) return 'decrease';
  return 'same';
}

/**
 * Per-function rows: shares in A and in B and their differences, ordered by the largest
 * absolute change of self share, then of total share.
 */
export function diffHotspots(rowsA, rowsB) {
  const rows = new Map();
  const entry = (row) => {
    const key = functionKey(row);
    if (!rows.has(key)) {
      rows.set(key, { function: row.function, file: row.file ?? null, line: row.line ?? null,
        self_share_a: 0, self_share_b: 0, total_share_a: 0, total_share_b: 0,
        in_a: false, in_b: false });
    }
    return rows.get(key);
  };
  for (const row of rowsA) {
    const target = entry(row);
    target.self_share_a += row.self_share;
    target.total_share_a += row.total_share;
    target.in_a = true;
  }
  for (const row of rowsB) {
    const target = entry(row);
    target.self_share_b += row.self_share;
    target.total_share_b += row.total_share;
    target.in_b = true;
  }
  return [...rows.values()]
    .map((row) => {
      const selfDelta = row.self_share_b - row.self_share_a;
      const totalDelta = row.total_share_b - row.total_share_a;
      return { ...row, self_delta: selfDelta, total_delta: totalDelta,
        change: classifyChange(Math.abs(selfDelta) >= Math.abs(totalDelta) ? selfDelta : totalDelta) };
    })
    .sort((a, b) => Math.abs(b.self_delta) - Math.abs(a.self_delta)
      || Math.abs(b.total_delta) - Math.abs(a.total_delta)
      || a.function.localeCompare(b.function));
}

/** diffHotspots over two trees (for when the API rows are not comparable or missing). */
export function diffTreeHotspots(treeA, treeB) {
  return diffHotspots(hotspotsFromTree(treeA), hotspotsFromTree(treeB));
}

/**
 * B's tree with, on every node, `delta` = B's value minus A's value scaled to B's total
 * (the difference of shares, in B's units), and `share_a` / `share_b`. Nodes are matched
 * by name along the path from the root. Nodes only in A are kept with value 0 so a caller
 * can list them; d3-flame-graph then draws them with no width. `delta` is inclusive (the
 * change of the node's whole subtree), as d3-flame-graph's differential colours expect
 * when its computeDelta is off.
 */
export function diffTrees(treeA, treeB) {
  const totalA = Number(treeA?.value) || 0;
  const totalB = Number(treeB?.value) || 0;
  const scaleA = totalA > 0 ? totalB / totalA : 0;
  const shareOf = (value, total) => (total > 0 ? value / total : 0);
  const build = (nodeA, nodeB, name) => {
    const valueA = Number(nodeA?.value) || 0;
    const valueB = Number(nodeB?.value) || 0;
    const childrenA = nodeA?.children ?? [];
    const childrenB = nodeB?.children ?? [];
    const byNameA = new Map(childrenA.map((child) => [child.name, child]));
    const names = [...new Set([...childrenB.map((c) => c.name), ...childrenA.map((c) => c.name)])];
    const byNameB = new Map(childrenB.map((child) => [child.name, child]));
    const children = names.map((childName) => build(byNameA.get(childName), byNameB.get(childName), childName));
    return { name, value: valueB, share_a: shareOf(valueA, totalA), share_b: shareOf(valueB, totalB),
      delta: valueB - valueA * scaleA, children };
  };
  return build(treeA, treeB, treeB?.name ?? treeA?.name ?? 'root');
}
