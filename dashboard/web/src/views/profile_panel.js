// A profile tab (CPU, Allocations, Heap in use, Blocking, or any other stored kind): the
// profile merged over the range and filters, its timeline (profile_timeline.js) above a flame
// graph and a hot-spot table.
import { api } from '../api.js';
import { hotspotsFromTree } from '../lib/hotspots.js';
import { formatValue, profileUnit } from '../lib/format.js';
import { h, replaceChildren } from './dom.js';
import { loadInto, emptyState } from './states.js';
import { connectHelp } from './connect_help.js';
import { flameGraph } from './flame_graph.js';
import { mergeByFunction } from '../lib/function_tree.js';
import { hotspotTable } from './hotspot_table.js';
import { sandwichCard } from './sandwich_card.js';
import { leaksCard, leakMatcher, leakFrameMatcher } from './leaks_card.js';
import { blockCategories, categoryChips } from './block_categories.js';
import { profileTimeline } from './profile_timeline.js';

const KIND_TEXT = {
  cpu: { title: 'CPU profile', noun: 'CPU profile',
    hint: 'CPU time per function, sampled on every thread, in % of one core (200 % is two cores busy).' },
  alloc: { title: 'Allocation profile', noun: 'allocation profile',
    hint: 'Bytes allocated per second, per allocation site.' },
  inuse: { title: 'Heap in use', noun: 'heap profile', hint: 'Memory still allocated, per allocation site.' },
  block: { title: 'Blocking profile', noun: 'blocking profile',
    hint: 'Time spent waiting in blocking calls, per second.' },
};

// Why a connected agent may send no profile of a kind (its app reports others in the range).
const WHY_NONE = {
  cpu: 'It used no CPU while sampled, or CPU profiling is off (SI_CPU_PROFILER_DISABLED).',
  alloc: 'Allocations are sampled once per 512 KiB allocated on a thread (SI_ALLOCATION_SAMPLING_BYTES): ' +
    'a program that allocates little has no allocation profile.',
  inuse: 'Allocations are sampled once per 512 KiB allocated on a thread (SI_ALLOCATION_SAMPLING_BYTES): ' +
    'a program that allocates little has no heap profile.',
  block: 'Blocking calls are sampled once per 10 ms blocked on a thread (SI_BLOCK_SAMPLING_NS): ' +
    'a program that seldom waits has no blocking profile.',
};

export function renderProfilePanel(panel, { appId, kind, scope, range, update, signal }) {
  loadInto(panel, { loadingText: `Loading the ${KIND_TEXT[kind]?.noun ?? 'profile'}…`,
    fetch: () => Promise.all([api.profile(appId, kind, scope, signal), api.profileKinds(appId, scope, signal),
      // The timeline is an extra: without it the profile still shows.
      api.profileTimeline(appId, kind, scope, signal).catch((error) => {
        if (error.name === 'AbortError') throw error;
        return null;
      })]),
    render: ([profile, { kinds = [] } = {}, timeline]) => {
      if (isEmpty(profile)) return noData(kind, kinds.filter((k) => k.kind !== kind));
      const over = timeline ? profileTimeline(timeline, { unit: profileUnit(profile), scope, range, update }) : null;
      return profileView(profile, api.profilePprofUrl(appId, kind, scope), over);
    } });
}

function isEmpty(profile) {
  return !profile || !profile.reports || !profile.tree?.children?.length;
}

/** The empty state: connection help only when the app reports nothing else in the range. */
function noData(kind, otherKinds) {
  const title = `No ${KIND_TEXT[kind]?.noun ?? 'profile'} data in this range`;
  if (otherKinds.length > 0) {
    const names = otherKinds.map((k) => KIND_TEXT[k.kind]?.noun ?? k.kind).join(', ');
    return emptyState(title,
      h('p', {}, `Its agent is connected: this application reports ${names} in this range. `,
        WHY_NONE[kind] ?? ''));
  }
  return emptyState(title,
    h('p', {}, 'Try a longer time range or clear the filters. If the application is new, connect an agent:'),
    connectHelp());
}

function profileView(profile, downloadUrl, timeline) {
  const container = h('div.profile-view', { dataset: { kind: profile.kind } });
  const isLeak = leakMatcher(profile.leaks);
  const parts = [summary(profile, downloadUrl), timeline];
  if (profile.kind === 'inuse') parts.push(leaksCard(profile.leaks));
  const body = h('div.profile-body');
  if (profile.kind === 'block') {
    const categories = blockCategories(profile.tree);
    const choose = (name) => {
      chips.replaceWith(chips = categoryChips(categories, name, profileUnit(profile), choose));
      const category = categories.find((c) => c.name === name);
      // A category's subtree stands alone: its shares are of that category's time.
      const tree = category ? { name: category.name, value: category.value, children: category.node.children } : profile.tree;
      replaceChildren(body, ...graphAndTable(profile, tree,
        category ? hotspotsFromTree(tree) : profile.hotspots ?? hotspotsFromTree(tree), isLeak));
    };
    let chips = categoryChips(categories, null, profileUnit(profile), choose);
    parts.push(chips);
  }
  replaceChildren(body, ...graphAndTable(profile, profile.tree,
    profile.hotspots ?? hotspotsFromTree(profile.tree), isLeak));
  return replaceChildren(container, ...parts, body);
}

function summary(profile, downloadUrl) {
  const text = KIND_TEXT[profile.kind];
  return h('div.profile-summary', {},
    h('div', {},
      h('h2', {}, text?.title ?? profile.name ?? profile.kind),
      h('p.muted', {}, text?.hint ?? `${profile.category} / ${profile.name}`),
      // The same range and filters, for go tool pprof and other pprof readers.
      h('a.button.button-quiet', { href: downloadUrl, download: '',
        title: 'This profile as a pprof file (go tool pprof, Pyroscope, speedscope…)' }, 'Download pprof')),
    h('dl.stats', {},
      stat('Total', formatValue(profile.total ?? profile.tree.value, profileUnit(profile))),
      stat('Reports merged', String(profile.reports)),
      stat('Source', `${profile.category} / ${profile.name}`)));
}

function stat(label, value) {
  return h('div.stat', {}, h('dt', {}, label), h('dd', {}, value));
}

function graphAndTable(profile, tree, rows, isLeak) {
  // Function level by default (one frame per function, whatever line called on); the
  // lines on demand.
  const functionTree = mergeByFunction(tree);
  const makeGraph = (lines) => flameGraph(lines ? tree : functionTree, { unit: profileUnit(profile),
    label: `${profile.name} flame graph`, highlight: profile.kind === 'inuse' ? leakFrameMatcher(profile.leaks) : null });
  let graph = makeGraph(false);
  const search = h('input', { type: 'search', placeholder: 'Highlight frames',
    'aria-label': 'Highlight frames matching', oninput: () => graph.search(search.value.trim()) });
  const lines = h('input', { type: 'checkbox', 'aria-label': 'Show a frame per line' });
  lines.addEventListener('change', () => {
    const next = makeGraph(lines.checked);
    graph.element.replaceWith(next.element);
    graph = next;
    if (search.value.trim()) graph.search(search.value.trim());
  });
  const graphCard = h('div.card.flame-card', {},
    h('div.card-header', {}, h('h2', {}, 'Flame graph'),
      h('div.card-tools', {}, h('label.check-label', {}, lines, 'Lines'), search,
        h('button.button.button-quiet', { type: 'button', onclick: () => graph.resetZoom() }, 'Reset zoom'))),
    graph.element);
  // At most one sandwich card, above the flame graph; another function replaces it.
  let sandwich = null;
  const closeSandwich = () => {
    sandwich?.remove();
    sandwich = null;
  };
  const openSandwich = (row) => {
    closeSandwich();
    sandwich = sandwichCard(tree, row, { unit: profileUnit(profile), onClose: closeSandwich });
    graphCard.before(sandwich);
    sandwich.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };
  const tableCard = h('div.card.hotspot-card', {},
    h('div.card-header', {}, h('h2', {}, 'Hot spots')),
    hotspotTable(rows, { unit: profileUnit(profile), isLeak: profile.kind === 'inuse' ? isLeak : undefined,
      onPick: (row) => {
        search.value = row.function;
        graph.search(row.function);
        graphCard.scrollIntoView({ behavior: 'smooth', block: 'start' });
      },
      onSandwich: openSandwich }));
  return [graphCard, tableCard];
}
