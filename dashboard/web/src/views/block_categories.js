// Blocking time by category: the first level below the root of a block profile is the
// category (io, network, lock, sleep, wait — protocol.md). A chip per category shows its
// share; choosing one narrows the flame graph and hot spots to that category's subtree.
import { formatValue, formatShare } from '../lib/format.js';
import { h } from './dom.js';

/** @returns [{name, value, share, node}] largest first */
export function blockCategories(tree) {
  const total = Number(tree.value) || 0;
  return (tree.children ?? [])
    .map((node) => ({ name: node.name, value: Number(node.value) || 0,
      share: total > 0 ? (Number(node.value) || 0) / total : 0, node }))
    .sort((a, b) => b.value - a.value);
}

/** Toggle buttons "All" + one per category; onChoose(name or null). */
export function categoryChips(categories, chosen, unit, onChoose) {
  const chip = (name, label, detail) => h('button.chip', { type: 'button',
    'aria-pressed': String(chosen === name), dataset: { category: name ?? 'all' },
    onclick: () => onChoose(name) },
  h('span.chip-label', {}, label), detail ? h('span.chip-detail', {}, detail) : null);
  return h('div.card.category-card', { role: 'group', 'aria-label': 'Blocking categories' },
    h('h2', {}, 'Blocking by category'),
    h('div.chips', {},
      chip(null, 'All categories'),
      categories.map((c) => chip(c.name, c.name,
        `${formatValue(c.value, unit)} · ${formatShare(c.share)}`))));
}
