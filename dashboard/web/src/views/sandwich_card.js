// The sandwich view of one function (lib/sandwich.js): its total in the profile, then who
// calls it and what it calls, each as an icicle whose top frame is the function. Shares in
// the two graphs are of the function's total.
import { callersTree, calleesTree, functionLevelKey } from '../lib/sandwich.js';
import { formatValue, formatShare } from '../lib/format.js';
import { h } from './dom.js';
import { flameGraph } from './flame_graph.js';

/**
 * @param tree the profile's inclusive call tree (its root is not a frame)
 * @param entry {function, file} the function, as a hot-spot row names it
 * @param options.unit protocol unit of the values
 * @param options.onClose () => void when the close button is pressed
 * @returns the card; the caller puts it in the page at once (flame graphs draw there)
 */
export function sandwichCard(tree, entry, { unit, onClose }) {
  const name = entry.function;
  const key = functionLevelKey(entry);
  const callers = callersTree(tree, key);
  const profileTotal = Number(tree.value) || 0;
  const total = callers?.value ?? 0;
  return h('section.card.sandwich-card', { 'data-testid': 'sandwich-card', 'aria-label': `Sandwich view of ${name}`,
    dataset: { function: name } },
  h('div.card-header', {}, h('h2', {}, `Sandwich: ${name}`),
    h('div.card-tools', {}, h('button.button.button-quiet', { type: 'button',
      'aria-label': `Close the sandwich view of ${name}`, onclick: onClose }, 'Close'))),
  h('p.sandwich-total', {},
    `${name}: total ${formatValue(total, unit)} (${formatShare(profileTotal ? total / profileTotal : 0)} of the profile)`),
  callers
    ? [part('Callers', `Reads downward from ${name} to the functions that called it, then their callers.`,
      callers, unit),
    part('Callees', `Reads downward from ${name} to the functions it called, then theirs.`,
      calleesTree(tree, key), unit)]
    : h('p.muted', {}, 'No frame of this function is left in the merged tree: ' +
      'its small frames were folded into their callers.'));
}

/** One icicle; its top bar ("all") is the function's total, the function's frame below it. */
function part(title, caption, root, unit) {
  const graph = flameGraph({ name: root.name, value: root.value, children: [root] },
    { unit, label: `${title} of ${root.name}` });
  return h('div.sandwich-part', { dataset: { part: title.toLowerCase() } },
    h('h3', {}, title), h('p.muted', {}, caption), graph.element);
}
