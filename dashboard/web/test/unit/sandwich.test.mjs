import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callersTree, calleesTree, functionLevelKey, outermostOccurrences } from '../../src/lib/sandwich.js';

/** A tree node from its self value and children; values come out inclusive. */
function frame(name, self, ...children) {
  return { name, value: self + children.reduce((sum, child) => sum + child.value, 0), children };
}

// f is called from handle (at two lines of handle, f at two of its lines) and from other,
// where it recurses through g; it is also an outermost frame of its own (self 2).
//   main → handle:10 (self 2) → f:5 (self 2) → leaf:1 (4)
//   main → handle:12 → f:7 (self 2) → leaf:1 (1)
//   main → other → f:5 (self 1) → g (self 1) → f:9 → leaf:2 (3)
//   f:5 (2)
const tree = frame('root', 0,
  frame('main (a.cpp:1)', 0,
    frame('handle (a.cpp:10)', 2, frame('f (f.cpp:5)', 2, frame('leaf (l.cpp:1)', 4))),
    frame('handle (a.cpp:12)', 0, frame('f (f.cpp:7)', 2, frame('leaf (l.cpp:1)', 1))),
    frame('other (a.cpp:30)', 0,
      frame('f (f.cpp:5)', 1, frame('g (g.cpp:1)', 1, frame('f (f.cpp:9)', 0, frame('leaf (l.cpp:2)', 3)))))),
  frame('f (f.cpp:5)', 2));
const F = functionLevelKey({ function: 'f', file: 'f.cpp' });

/** [name, value, [children…]] of a tree, for exact comparison. */
function shape(node) {
  return [node.name, node.value, node.children.map(shape)];
}

test('only the outermost occurrences of a recursive function count, with their callers', () => {
  const found = outermostOccurrences(tree, F);
  assert.deepEqual(found.map(({ node, callers }) => [node.name, node.value, callers.map((c) => c.name)]), [
    ['f (f.cpp:5)', 6, ['handle (a.cpp:10)', 'main (a.cpp:1)']],
    ['f (f.cpp:7)', 3, ['handle (a.cpp:12)', 'main (a.cpp:1)']],
    ['f (f.cpp:5)', 5, ['other (a.cpp:30)', 'main (a.cpp:1)']],
    ['f (f.cpp:5)', 2, []],
  ]);
});

test('callers: the call paths to the function reversed, one frame per function', () => {
  const callers = callersTree(tree, F);
  assert.deepEqual(shape(callers), ['f (f.cpp)', 16, [
    ['handle (a.cpp)', 9, [['main (a.cpp:1)', 9, []]]],
    ['other (a.cpp:30)', 5, [['main (a.cpp:1)', 5, []]]],
  ]]);
  // The root's value not in its children: the function as an outermost frame.
  assert.equal(callers.value - callers.children.reduce((sum, c) => sum + c.value, 0), 2);
});

test('callees: the subtrees of the outermost occurrences merged, inner recursion kept', () => {
  assert.deepEqual(shape(calleesTree(tree, F)), ['f (f.cpp)', 16, [
    ['leaf (l.cpp:1)', 5, []],
    ['g (g.cpp:1)', 4, [['f (f.cpp:9)', 3, [['leaf (l.cpp:2)', 3, []]]]]],
  ]]);
});

test('both trees total the function\'s time once, and the input is left as it is', () => {
  const before = JSON.stringify(tree);
  assert.equal(callersTree(tree, F).value, calleesTree(tree, F).value);
  assert.equal(calleesTree(tree, F).value, 16);
  assert.equal(JSON.stringify(tree), before);
});

test('a function without a location, an outermost caller, and a missing function', () => {
  const main = functionLevelKey({ function: 'main', file: 'a.cpp' });
  assert.deepEqual(shape(callersTree(tree, main)), ['main (a.cpp:1)', 16, []]);
  const bare = frame('root', 0, frame('run', 0, frame('work', 3)), frame('idle', 0, frame('work', 1)));
  assert.deepEqual(shape(callersTree(bare, functionLevelKey({ function: 'work', file: null }))),
    ['work', 4, [['run', 3, []], ['idle', 1, []]]]);
  assert.equal(callersTree(tree, functionLevelKey({ function: 'absent', file: 'x.cpp' })), null);
  assert.equal(calleesTree(tree, functionLevelKey({ function: 'absent', file: 'x.cpp' })), null);
});
