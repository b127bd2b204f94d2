// Compare tab: one profile kind in two versions, or in the current range against a
// baseline range, side by side, with the difference of shares per function.
import { api } from '../api.js';
import { BASELINES, baselineRange } from '../lib/time_range.js';
import { hotspotsFromTree } from '../lib/hotspots.js';
import { diffHotspots, diffTrees } from '../lib/tree_diff.js';
import { formatTime, profileUnit } from '../lib/format.js';
import { h, field, select, replaceChildren } from './dom.js';
import { loadingState, errorState, emptyState } from './states.js';
import { flameGraph } from './flame_graph.js';
import { diffTable } from './diff_table.js';

const KINDS = [
  { value: 'cpu', label: 'CPU' }, { value: 'alloc', label: 'Allocations' },
  { value: 'inuse', label: 'Heap in use' }, { value: 'block', label: 'Blocking' },
];
const MODES = [{ value: 'versions', label: 'Two versions' }, { value: 'ranges', label: 'Two time ranges' }];

export function renderComparePanel(panel, ctx) {
  const load = async () => {
    replaceChildren(panel, loadingState('Loading versions…'));
    let versions = [];
    try {
      versions = (await api.filters(ctx.appId, ctx.scope, ctx.signal)).versions ?? [];
    } catch (error) {
      if (error.name === 'AbortError') return;
      // Without the version list, comparing time ranges still works.
    }
    const choice = readChoice(ctx.params, versions, ctx.range);
    const results = h('div.compare-results');
    replaceChildren(panel, h('div.compare-view', {}, controls(choice, versions, ctx.update), results));
    if (choice.mode === 'versions' && (!choice.a || !choice.b)) {
      replaceChildren(results, emptyState('Pick two versions',
        versions.length < 2 ? 'This range has fewer than two versions; compare two time ranges instead.' : ''));
      return;
    }
    compare(results, ctx, choice);
  };
  load();
}

/** What to compare, from the URL, with defaults: the two newest versions, else ranges. */
function readChoice(params, versions, range) {
  const kind = KINDS.some((k) => k.value === params.cmp_kind) ? params.cmp_kind : 'cpu';
  const mode = params.cmp_mode === 'ranges' || params.cmp_mode === 'versions'
    ? params.cmp_mode : (versions.length >= 2 ? 'versions' : 'ranges');
  const sorted = [...versions].sort((x, y) => x.localeCompare(y, undefined, { numeric: true }));
  const a = params.cmp_a || sorted[sorted.length - 2] || '';
  const b = params.cmp_b || sorted[sorted.length - 1] || '';
  const baseline = BASELINES.some((x) => x.key === params.cmp_baseline) ? params.cmp_baseline : 'previous';
  return { kind, mode, a, b, baseline, baselineRange: baselineRange(range, baseline) };
}

function controls(choice, versions, update) {
  const onChange = (name) => (event) => update({ [name]: event.target.value });
  const parts = [
    field('Profile', select({ name: 'cmp_kind', onchange: onChange('cmp_kind') }, KINDS, choice.kind)),
    field('Compare', select({ name: 'cmp_mode', onchange: onChange('cmp_mode') }, MODES, choice.mode)),
  ];
  if (choice.mode === 'versions') {
    const options = [{ value: '', label: 'Choose…' }, ...versions];
    parts.push(field('Baseline (A)', select({ name: 'cmp_a', onchange: onChange('cmp_a') }, options, choice.a)),
      field('Compared (B)', select({ name: 'cmp_b', onchange: onChange('cmp_b') }, options, choice.b)));
  } else {
    parts.push(field('Baseline (A)', select({ name: 'cmp_baseline', onchange: onChange('cmp_baseline') },
      BASELINES.map((b) => ({ value: b.key, label: b.label })), choice.baseline)));
  }
  return h('div.card.compare-controls', { role: 'group', 'aria-label': 'What to compare' }, parts);
}

async function compare(results, ctx, choice) {
  const sides = choice.mode === 'versions'
    ? [{ label: `Version ${choice.a}`, scope: { ...ctx.scope, version: choice.a } },
      { label: `Version ${choice.b}`, scope: { ...ctx.scope, version: choice.b } }]
    : [{ label: `${choice.baselineRange.label}: ${formatTime(choice.baselineRange.from)} – ${formatTime(choice.baselineRange.to)}`,
      scope: { ...ctx.scope, from: choice.baselineRange.from, to: choice.baselineRange.to } },
    { label: `Selected range: ${formatTime(ctx.range.from)} – ${formatTime(ctx.range.to)}`, scope: ctx.scope }];
  const retry = () => compare(results, ctx, choice);
  replaceChildren(results, loadingState('Loading both profiles…'));
  try {
    const [a, b] = await Promise.all(sides.map((side) => api.profile(ctx.appId, choice.kind, side.scope, ctx.signal)));
    replaceChildren(results, ...comparison(a, b, sides));
  } catch (error) {
    if (error.name !== 'AbortError') replaceChildren(results, errorState(error, retry));
  }
}

function comparison(a, b, sides) {
  const hasData = (p) => p?.reports > 0 && p.tree?.children?.length > 0;
  if (!hasData(a) || !hasData(b)) {
    const missing = sides.filter((_, i) => !hasData([a, b][i])).map((s) => s.label).join(' and ');
    return [emptyState('Nothing to compare yet', `No profile data for ${missing}.`)];
  }
  const rows = diffHotspots(a.hotspots ?? hotspotsFromTree(a.tree), b.hotspots ?? hotspotsFromTree(b.tree));
  const column = (title, profile, options, testid) => h('div.card.compare-side', { 'data-testid': testid },
    h('div.card-header', {}, h('h2', {}, title), h('span.muted', {}, `${profile.reports} reports`)),
    flameGraph(options.tree ?? profile.tree, { unit: profileUnit(profile), ...options }).element);
  return [
    h('div.compare-sides', {},
      column(`A · ${sides[0].label}`, a, { label: 'Baseline flame graph' }, 'compare-a'),
      column(`B · ${sides[1].label}`, b, { tree: diffTrees(a.tree, b.tree), differential: true,
        label: 'Compared flame graph, coloured by change' }, 'compare-b')),
    h('p.legend', {}, h('span.legend-swatch.increase', { 'aria-hidden': 'true' }), 'larger share in B ',
      h('span.legend-swatch.decrease', { 'aria-hidden': 'true' }), 'smaller share in B'),
    h('div.card', {}, h('div.card-header', {}, h('h2', {}, 'Change per function')), diffTable(rows)),
  ];
}
