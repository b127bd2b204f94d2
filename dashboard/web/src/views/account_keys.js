// Agent keys: list (prefix only: keys are stored hashed), create (the key is shown once,
// right here), delete; and the requests the dashboard refused lately to agents using them
// (agents rarely say so themselves).
import { api } from '../api.js';
import { formatTime } from '../lib/format.js';
import { h, field } from './dom.js';
import { confirmButton } from './confirm_button.js';
import { inlineForm } from './inline_form.js';
import { connectCommand } from './connect_help.js';

export function keysCard(keys, { isOwner, reload }) {
  return h('section.card', { 'aria-labelledby': 'keys-title' },
    h('div.card-header', {}, h('h2#keys-title', {}, 'Agent keys')),
    h('p.muted', {}, 'Agents authenticate with a key (SI_AGENT_KEY). Keys are stored hashed: ' +
      'a new key is shown once, when it is created.'),
    keys.length === 0
      ? h('p.empty-row', {}, 'No agent keys yet. Create one to connect an agent.')
      : h('table.data-table.keys-table', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Key'),
          h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col' }, 'Last used'),
          isOwner ? h('th', { scope: 'col' }, h('span.visually-hidden', {}, 'Actions')) : null)),
        h('tbody', {}, keys.map((key) => h('tr', { dataset: { key: key.name } },
          h('td', {}, key.name), h('td.mono', {}, `${key.prefix}…`),
          h('td', {}, formatTime(key.created)), h('td', {}, formatTime(key.last_used)),
          isOwner ? h('td.actions', {}, confirmButton('Delete', `Agents using "${key.name}" will be refused.`,
            async () => {
              await api.deleteKey(key.id);
              reload(h('p.notice', { role: 'status' }, `Key "${key.name}" was deleted.`));
            })) : null)))),
    refusalsTable(keys),
    isOwner ? createKeyForm(reload) : null);
}

/** The last refusals of every key (the server keeps the last few per key), newest first. */
function refusalsTable(keys) {
  const refusals = keys.flatMap((key) => (key.refused ?? []).map((refused) => ({ key: key.name, ...refused })))
    .sort((a, b) => b.time - a.time);
  if (refusals.length === 0) return null;
  return h('div.refusals', { role: 'region', 'aria-label': 'Refused agent requests' },
    h('h3', {}, 'Refused agent requests'),
    h('p.muted', {}, 'The last requests the dashboard answered with an error, per key: an agent that is ' +
      'refused usually logs nothing unless its debug mode is on.'),
    h('table.data-table.refusals-table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'Key'),
        h('th.num', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Reason'),
        h('th', { scope: 'col' }, 'Path'), h('th', { scope: 'col' }, 'From'))),
      h('tbody', {}, refusals.map((refused) => h('tr', {},
        h('td', {}, formatTime(refused.time)), h('td', {}, refused.key), h('td.num', {}, String(refused.status)),
        h('td', {}, refused.reason), h('td.mono', {}, refused.endpoint), h('td.mono', {}, refused.address))))));
}

function createKeyForm(reload) {
  const name = h('input', { type: 'text', name: 'key-name', required: true, maxlength: '100',
    placeholder: 'e.g. production' });
  return inlineForm({ title: 'Create a key', fields: [field('Name', name)], submitLabel: 'Create key',
    primary: true,
    onSubmit: async () => {
      const created = await api.createKey(name.value.trim());
      reload(newKeyNotice(name.value.trim(), created.key));
    } });
}

/** The one place a key is ever shown. */
function newKeyNotice(name, key) {
  const copied = h('span.muted', { role: 'status' });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(key);
      copied.textContent = 'Copied.';
    } catch {
      copied.textContent = 'Select the key and copy it by hand.';
    }
  };
  const notice = h('div.new-key', { role: 'region', 'aria-label': 'New agent key', tabindex: '-1' },
    h('h3', {}, `Key "${name}" created`),
    h('p', {}, h('strong', {}, 'Copy it now: '), 'it will not be shown again.'),
    h('div.key-line', {}, h('code.secret', { 'data-testid': 'new-key' }, key),
      h('button.button', { type: 'button', onclick: copy }, 'Copy'), copied),
    h('p.muted', {}, 'Start an agent with it:'),
    h('pre.command', {}, h('code', {}, connectCommand({ key }))));
  queueMicrotask(() => notice.focus());
  return notice;
}
