// A call tree at function level: a node's children that are one function (the same
// function and file, whatever the line of the call) become one child, their values and
// children merged, recursively. What a flame graph shows by default; the lines come back on
// demand. A merged node keeps its name when every part had the same one, else it is named
// "function (file)".
import { parseFrameName, formatLocation } from './frame_name.js';

/** A frame's name at function level: "function (file)" without the line; other names as they are. */
export function functionName(name) {
  const { function: fn, file } = parseFrameName(name);
  return file && fn !== String(name) ? `${fn} (${formatLocation(file, null)})` : String(name);
}

/** @param tree {name, value, children} @returns a new tree; the input is left as it is */
export function mergeByFunction(tree) {
  const merged = new Map();
  for (const child of tree.children ?? []) {
    const key = functionName(child.name);
    const into = merged.get(key);
    if (!into) {
      merged.set(key, { name: child.name, value: Number(child.value) || 0, parts: [child] });
    } else {
      if (into.name !== child.name) into.name = key;
      into.value += Number(child.value) || 0;
      into.parts.push(child);
    }
  }
  const children = [...merged.values()].map(({ name, value, parts }) =>
    mergeByFunction({ ...parts[0], name, value, children: parts.flatMap((part) => part.children ?? []) }));
  return { ...tree, children };
}
