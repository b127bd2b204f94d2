import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffHotspots, diffTreeHotspots, diffTrees, classifyChange } from '../../src/lib/tree_diff.js';

// A: render is 50 % of 100; B: render is 75 % of 200 (twice the traffic).
const treeA = { name: 'root', value: 100, children: [
  { name: 'main (m.c:1)', value: 100, children: [
    { name: 'render (r.c:2)', value: 50 },
    { name: 'parse (p.c:3)', value: 40 },
    { name: 'old_path (o.c:4)', value: 10 },
  ] },
] };
const treeB = { name: 'root', value: 200, children: [
  { name: 'main (m.c:1)', value: 200, children: [
    { name: 'render (r.c:2)', value: 150 },
    { name: 'parse (p.c:3)', value: 40 },
    { name: 'new_path (n.c:5)', value: 10 },
  ] },
] };

test('function rows compare shares, largest change first', () => {
  const rows = diffTreeHotspots(treeA, treeB);
  assert.equal(rows[0].function, 'render');
  assert.ok(Math.abs(rows[0].self_delta - 0.25) < 1e-12);
  assert.equal(rows[0].change, 'increase');
  const parse = rows.find((r) => r.function === 'parse');
  assert.ok(Math.abs(parse.self_delta + 0.2) < 1e-12);
  assert.equal(parse.change, 'decrease');
  const main = rows.find((r) => r.function === 'main');
  assert.equal(main.total_delta, 0);
  assert.equal(main.change, 'same');
});

test('functions present on one side only', () => {
  const rows = diffTreeHotspots(treeA, treeB);
  const gone = rows.find((r) => r.function === 'old_path');
  const added = rows.find((r) => r.function === 'new_path');
  assert.deepEqual([gone.in_a, gone.in_b, gone.change], [true, false, 'decrease']);
  assert.deepEqual([added.in_a, added.in_b, added.change], [false, true, 'increase']);
});

test('rows from the API (with file and line) diff the same way', () => {
  const rows = diffHotspots(
    [{ function: 'f', file: 'a.c', line: 1, self_share: 0.2, total_share: 0.5 }],
    [{ function: 'f', file: 'a.c', line: 1, self_share: 0.3, total_share: 0.5 },
      { function: 'f', file: 'a.c', line: 2, self_share: 0.1, total_share: 0.1 }]);
  assert.equal(rows.length, 2, 'same function at another line is another row');
  assert.ok(Math.abs(rows[0].self_delta - 0.1) < 1e-12);
});

test('merged tree carries B values and deltas of shares in B units', () => {
  const merged = diffTrees(treeA, treeB);
  assert.equal(merged.value, 200);
  assert.equal(merged.delta, 0);
  const main = merged.children[0];
  const byName = Object.fromEntries(main.children.map((c) => [c.name, c]));
  assert.equal(byName['render (r.c:2)'].delta, 50);         // 150 - 50 * 2
  assert.equal(byName['parse (p.c:3)'].delta, -40);         // 40 - 40 * 2
  assert.equal(byName['old_path (o.c:4)'].value, 0);        // only in A
  assert.equal(byName['old_path (o.c:4)'].share_a, 0.1);
  assert.equal(byName['new_path (n.c:5)'].share_b, 0.05);
});

test('an empty baseline makes everything new', () => {
  const merged = diffTrees({ name: 'root', value: 0, children: [] }, treeB);
  assert.equal(merged.children[0].delta, 200);
  assert.equal(diffTreeHotspots(null, treeB).every((r) => r.change !== 'decrease'), true);
});

test('small changes count as unchanged', () => {
  assert.equal(classifyChange(0.0005), 'same');
  assert.equal(classifyChange(-0.002), 'decrease');
});
