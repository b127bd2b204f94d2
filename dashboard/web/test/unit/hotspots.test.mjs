import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hotspotsFromTree, sortHotspots, filterHotspots } from '../../src/lib/hotspots.js';

// main (10) → handle (8) → render (6, self 6); handle self 2; main self 2.
const tree = {
  name: 'root', value: 10, children: [
    { name: 'main (m.cpp:1)', value: 10, children: [
      { name: 'handle (h.cpp:5)', value: 8, children: [
        { name: 'render (r.cpp:9)', value: 6, children: [] },
      ] },
    ] },
  ],
};

const byFunction = (rows) => Object.fromEntries(rows.map((row) => [row.function, row]));

test('self is the value not in children, total the inclusive value', () => {
  const rows = byFunction(hotspotsFromTree(tree));
  assert.equal(rows.main.self, 2);
  assert.equal(rows.main.total, 10);
  assert.equal(rows.handle.self, 2);
  assert.equal(rows.render.self, 6);
  assert.equal(rows.render.total, 6);
  assert.equal(rows.render.self_share, 0.6);
  assert.equal(rows.main.total_share, 1);
  assert.equal(rows.render.file, 'r.cpp');
  assert.equal(rows.render.line, 9);
});

test('a function reached by two paths adds up', () => {
  const rows = byFunction(hotspotsFromTree({ name: 'root', value: 10, children: [
    { name: 'a', value: 4, children: [{ name: 'leaf (l.c:1)', value: 4 }] },
    { name: 'b', value: 6, children: [{ name: 'leaf (l.c:1)', value: 5 }] },
  ] }));
  assert.equal(rows.leaf.self, 9);
  assert.equal(rows.leaf.total, 9);
  assert.equal(rows.b.self, 1);
});

test('recursion counts a function\'s total once', () => {
  const rows = byFunction(hotspotsFromTree({ name: 'root', value: 8, children: [
    { name: 'walk (w.c:1)', value: 8, children: [
      { name: 'walk (w.c:1)', value: 6, children: [{ name: 'walk (w.c:1)', value: 3 }] },
    ] },
  ] }));
  assert.equal(rows.walk.total, 8);
  assert.equal(rows.walk.self, 8);
});

test('an empty tree has no rows and no division by zero', () => {
  assert.deepEqual(hotspotsFromTree({ name: 'root', value: 0, children: [] }), []);
  assert.deepEqual(hotspotsFromTree(null), []);
  const rows = hotspotsFromTree({ name: 'root', value: 0, children: [{ name: 'x', value: 0 }] });
  assert.equal(rows[0].self_share, 0);
});

test('a deep tree does not overflow the stack', () => {
  let node = { name: 'leaf', value: 1 };
  for (let depth = 0; depth < 20000; depth++) node = { name: `f${depth}`, value: 1, children: [node] };
  const rows = hotspotsFromTree({ name: 'root', value: 1, children: [node] });
  assert.equal(rows.length, 20001);
});

test('sorting by each column, both directions, with stable ties', () => {
  const rows = hotspotsFromTree(tree);
  assert.deepEqual(sortHotspots(rows, 'self', 'desc').map((r) => r.function), ['render', 'main', 'handle']);
  assert.deepEqual(sortHotspots(rows, 'total', 'asc').map((r) => r.function), ['render', 'handle', 'main']);
  assert.deepEqual(sortHotspots(rows, 'function', 'asc').map((r) => r.function), ['handle', 'main', 'render']);
  assert.deepEqual(sortHotspots(rows, 'location', 'desc').map((r) => r.file), ['r.cpp', 'm.cpp', 'h.cpp']);
  assert.notEqual(sortHotspots(rows, 'self', 'desc'), rows, 'sorting returns a new array');
});

test('filtering matches function and location, case-insensitively', () => {
  const rows = hotspotsFromTree(tree);
  assert.deepEqual(filterHotspots(rows, 'REND').map((r) => r.function), ['render']);
  assert.deepEqual(filterHotspots(rows, 'h.cpp:5').map((r) => r.function), ['handle']);
  assert.equal(filterHotspots(rows, '  ').length, 3);
});
