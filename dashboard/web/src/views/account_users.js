// Users of the account: list, role changes, removal, and adding a user (owners only).
import { api } from '../api.js';
import { h, field, select } from './dom.js';
import { confirmButton } from './confirm_button.js';
import { inlineForm } from './inline_form.js';

const ROLES = ['owner', 'member', 'viewer'];

export function usersCard(users, { isOwner, me, reload }) {
  return h('section.card', { 'aria-labelledby': 'users-title' },
    h('div.card-header', {}, h('h2#users-title', {}, 'Users')),
    h('table.data-table.users-table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Email'), h('th', { scope: 'col' }, 'Role'),
        isOwner ? h('th', { scope: 'col' }, h('span.visually-hidden', {}, 'Actions')) : null)),
      h('tbody', {}, users.map((user) => userRow(user, { isOwner, editable: isOwner && user.email !== me, reload })))),
    isOwner ? addUserForm(reload) : null);
}

// Owners get an actions column; their own row leaves it empty (no demoting yourself).
function userRow(user, { isOwner, editable, reload }) {
  const role = editable
    ? select({ 'aria-label': `Role of ${user.email}`,
      onchange: async (event) => {
        try {
          await api.setUserRole(user.id, event.target.value);
          reload(h('p.notice', { role: 'status' }, `${user.email} is now ${event.target.value}.`));
        } catch (error) {
          reload(h('p.form-error', { role: 'alert' }, error.message));
        }
      } }, ROLES, user.role)
    : h('span.role-badge', {}, user.role);
  return h('tr', { dataset: { email: user.email } },
    h('td', {}, user.email), h('td', {}, role),
    isOwner ? h('td.actions', {}, editable ? confirmButton('Remove', `Remove ${user.email}?`, async () => {
      await api.removeUser(user.id);
      reload(h('p.notice', { role: 'status' }, `${user.email} was removed.`));
    }) : null) : null);
}

function addUserForm(reload) {
  const email = h('input', { type: 'email', name: 'email', required: true, autocomplete: 'off' });
  const role = select({ name: 'role' }, ROLES, 'member');
  const password = h('input', { type: 'password', name: 'password', required: true, minlength: '8',
    autocomplete: 'new-password' });
  return inlineForm({ title: 'Add a user', submitLabel: 'Add user',
    fields: [field('Email', email), field('Role', role), field('Initial password', password)],
    onSubmit: async () => {
      await api.addUser(email.value.trim(), role.value, password.value);
      reload(h('p.notice', { role: 'status' }, `${email.value.trim()} was added as ${role.value}.`));
    } });
}
