import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeByFunction } from '../../src/lib/function_tree.js';

test('one function called from two lines is one frame, its callees merged too', () => {
  const tree = { name: 'root', value: 10, children: [
    { name: 'main (a.cpp:3)', value: 10, children: [
      { name: 'work (a.cpp:10)', value: 6, children: [{ name: 'leaf (b.cpp:1)', value: 6, children: [] }] },
      { name: 'work (a.cpp:12)', value: 3, children: [{ name: 'leaf (b.cpp:1)', value: 3, children: [] }] },
      { name: 'other (a.cpp:20)', value: 1, children: [] },
    ] },
  ] };
  const merged = mergeByFunction(tree);
  const main = merged.children[0];
  assert.equal(main.name, 'main (a.cpp:3)', 'a single part keeps its line');
  assert.deepEqual(main.children.map((c) => [c.name, c.value]), [['work (a.cpp)', 9], ['other (a.cpp:20)', 1]]);
  assert.deepEqual(main.children[0].children.map((c) => [c.name, c.value]), [['leaf (b.cpp:1)', 9]]);
  assert.equal(tree.children[0].children.length, 3, 'the input is left as it is');
});
