// The sandwich view of one function: who calls it and what it calls, at function level
// (frames of one function and file are one, whatever their line, as in function_tree.js).
// Input invariant (dashboard-api.md): an inclusive call tree, a node's value = sum of its
// children's values + its own self value; the root is not a frame, its children are the
// outermost frames. Only the function's outermost occurrences count (a recursive call inside
// one is part of it), so no sample is counted twice. Both trees are rooted at the function,
// with value = its total (sum of its outermost occurrences' values), and siblings of one
// function merged (named as function_tree.js names a merged frame):
// - callers: the occurrences' call paths reversed, from the function up to the outermost
//   frame; a node's value = the function's time under that chain of callers, ≥ the sum of
//   its children (the rest: time where that frame is the outermost one).
// - callees: the occurrences' subtrees merged, values summed; inner recursive occurrences
//   stay where they are, so a node's value = sum of its children + its self value again.
import { parseFrameName } from './frame_name.js';
import { functionName } from './function_tree.js';

/** The identity of a function at function level, for {function, file} (a hot-spot row). */
export function functionLevelKey(entry) {
  return `${entry.function}\u0000${entry.file ?? ''}`;
}

function frameKey(name) {
  return functionLevelKey(parseFrameName(name));
}

// Output nodes are plain {name, value, children}; their children by function key live here.
const childIndexes = new WeakMap();

/** `parent`'s child for the function of frame `name`, added (value 0) when missing. */
function childFor(parent, name) {
  let index = childIndexes.get(parent);
  if (!index) childIndexes.set(parent, index = new Map());
  const key = frameKey(name);
  let child = index.get(key);
  if (!child) {
    child = { name: String(name), value: 0, children: [] };
    index.set(key, child);
    parent.children.push(child);
  } else if (child.name !== String(name)) {
    child.name = functionName(name);  // parts with different lines: "function (file)"
  }
  return child;
}

/**
 * The outermost frames of the function `key` (functionLevelKey), left to right.
 * @returns {Array<{node, callers}>} callers: the node's ancestor frames, nearest first
 */
export function outermostOccurrences(tree, key) {
  const found = [];
  // Depth-first with an explicit stack so deep trees cannot overflow the call stack; an
  // occurrence's subtree is not entered (any occurrence in it is not outermost).
  const stack = (tree?.children ?? []).map((node) => ({ node, parent: null })).reverse();
  while (stack.length > 0) {
    const entry = stack.pop();
    if (frameKey(entry.node.name) === key) {
      const callers = [];
      for (let up = entry.parent; up; up = up.parent) callers.push(up.node);
      found.push({ node: entry.node, callers });
      continue;
    }
    const children = entry.node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], parent: entry });
  }
  return found;
}

/** The inverted tree of the function's callers; null when no frame of it is in `tree`. */
export function callersTree(tree, key) {
  const holder = { children: [] };
  for (const { node, callers } of outermostOccurrences(tree, key)) {
    const value = Number(node.value) || 0;
    let at = childFor(holder, node.name);
    at.value += value;
    for (const caller of callers) {
      at = childFor(at, caller.name);
      at.value += value;
    }
  }
  return holder.children[0] ?? null;
}

/** The merged tree of what the function calls; null when no frame of it is in `tree`. */
export function calleesTree(tree, key) {
  const holder = { children: [] };
  const stack = outermostOccurrences(tree, key).map(({ node }) => ({ node, parent: holder })).reverse();
  while (stack.length > 0) {
    const { node, parent } = stack.pop();
    const into = childFor(parent, node.name);
    into.value += Number(node.value) || 0;
    const children = node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], parent: into });
  }
  return holder.children[0] ?? null;
}
