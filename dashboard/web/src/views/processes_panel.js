// Processes tab: the processes seen in the range, which of them profile now, and the
// application's activation limit ("at most N processes, or P %, profile at once"; the
// server rotates which ones so every process gets its turn).
import { api } from '../api.js';
import { formatAgo, formatRuntime } from '../lib/format.js';
import { h, field, select, replaceChildren } from './dom.js';
import { loadInto, emptyState } from './states.js';
import { inlineForm } from './inline_form.js';
import { connectHelp } from './connect_help.js';

export function renderProcessesPanel(panel, { appId, scope, signal, session }) {
  const processes = h('div');
  const settings = h('div');
  replaceChildren(panel, h('div.processes-view', {}, processes, settings));
  loadInto(processes, { loadingText: 'Loading processes…',
    fetch: () => api.filters(appId, scope, signal),
    render: ({ processes: list = [] }) => processesCard(list) });
  loadInto(settings, { loadingText: 'Loading settings…',
    fetch: () => api.settings(appId, signal),
    render: (current) => settingsCard(appId, current, session?.user?.role === 'owner') });
}

function processState(process, live) {
  if (process.ended) return h('span.badge', { title: 'Its agent said the process was ending' }, 'ended');
  if (!live) return h('span.badge', { title: 'No report for longer than the live time' }, 'not reporting');
  return process.active ? h('span.badge.badge-ok', {}, 'active') : h('span.badge', {}, 'waiting its turn');
}

function processesCard(list) {
  if (list.length === 0) return emptyState('No processes reported in this range', connectHelp());
  const now = Date.now() / 1000;
  // A process that said it was ending, or stopped reporting, is not profiling whatever its
  // turn; older servers send no `live`.
  const live = (p) => p.live ?? true;
  const profiling = (p) => live(p) && p.active;
  const sorted = [...list].sort((a, b) => Number(profiling(b)) - Number(profiling(a))
    || Number(live(b)) - Number(live(a)) || b.last_seen - a.last_seen);
  const active = list.filter(profiling).length;
  return h('div.card', { role: 'region', 'aria-label': 'Processes' },
    h('div.card-header', {}, h('h2', {}, 'Processes'), h('span.muted', {}, `${active} of ${list.length} profiling now`)),
    h('table.data-table.processes-table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Host'), h('th.num', { scope: 'col' }, 'PID'),
        h('th', { scope: 'col' }, 'Runtime'), h('th', { scope: 'col' }, 'Agent'),
        h('th', { scope: 'col' }, 'Profiling'), h('th', { scope: 'col' }, 'Last report'))),
      h('tbody', {}, sorted.map((p) => h('tr', { dataset: { pid: String(p.pid) } },
        h('td', {}, p.host), h('td.num', {}, String(p.pid)),
        h('td', { dataset: { field: 'runtime' } }, formatRuntime(p.runtime_type, p.runtime_version)),
        h('td', { dataset: { field: 'agent' } }, p.agent_version ?? ''),
        h('td', { dataset: { field: 'state' } }, processState(p, live(p))),
        h('td', {}, formatAgo(p.last_seen, now)))))));
}

/** The limit as one of three modes, from the API's two nullable numbers. */
function limitMode(current) {
  if (current?.max_active_processes !== null && current?.max_active_processes !== undefined) return 'count';
  if (current?.max_active_percent !== null && current?.max_active_percent !== undefined) return 'percent';
  return 'all';
}

function settingsCard(appId, current, isOwner) {
  const mode = limitMode(current);
  const describe = { all: 'Every process profiles.',
    count: current?.max_active_processes === 1 ? 'At most 1 process profiles at once.'
      : `At most ${current?.max_active_processes} processes profile at once.`,
    percent: `At most ${current?.max_active_percent} % of processes profile at once.` }[mode];
  const card = h('div.card', { role: 'region', 'aria-label': 'Profiling activation' },
    h('div.card-header', {}, h('h2', {}, 'Profiling activation')),
    h('p', { 'data-testid': 'activation-summary' }, describe,
      h('span.muted', {}, ' The dashboard rotates which processes are active, so every process gets its turn.')));
  if (!isOwner) return card;

  const kind = select({ name: 'limit-kind' }, [
    { value: 'all', label: 'All processes' }, { value: 'count', label: 'At most N processes' },
    { value: 'percent', label: 'At most P % of processes' }], mode);
  const amount = h('input', { type: 'number', name: 'limit', min: '1', step: '1',
    value: String(current?.max_active_processes ?? current?.max_active_percent ?? ''), disabled: mode === 'all' });
  kind.addEventListener('change', () => { amount.disabled = kind.value === 'all'; });
  card.append(inlineForm({ title: 'Change the limit', submitLabel: 'Save',
    fields: [field('Limit', kind), field('N or P', amount)],
    onSubmit: async () => {
      const value = Number(amount.value);
      if (kind.value !== 'all' && !(value >= 1 && (kind.value === 'count' || value <= 100))) {
        throw new Error(kind.value === 'count' ? 'N must be 1 or more.' : 'P must be between 1 and 100.');
      }
      const next = { max_active_processes: kind.value === 'count' ? value : null,
        max_active_percent: kind.value === 'percent' ? value : null };
      await api.saveSettings(appId, next);
      card.replaceWith(settingsCard(appId, next, isOwner));
    } }));
  return card;
}
