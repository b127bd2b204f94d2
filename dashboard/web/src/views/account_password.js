// "Your password": any user changes their own; their other sessions end (the server checks
// the current password and the new one's length).
import { api } from '../api.js';
import { h, field } from './dom.js';
import { inlineForm } from './inline_form.js';

export function passwordCard({ reload }) {
  const current = h('input', { type: 'password', name: 'current-password', required: true,
    autocomplete: 'current-password' });
  const wanted = h('input', { type: 'password', name: 'new-password', required: true, minlength: '10',
    autocomplete: 'new-password' });
  return h('section.card', { 'aria-labelledby': 'password-title' },
    h('div.card-header', {}, h('h2#password-title', {}, 'Your password')),
    inlineForm({ title: 'Change your password',
      fields: [field('Current password', current), field('New password', wanted, 'At least 10 characters.')],
      submitLabel: 'Change password',
      onSubmit: async () => {
        await api.changePassword(current.value, wanted.value);
        reload(h('p.notice', { role: 'status' }, 'Your password was changed; your other sessions were logged out.'));
      } }));
}
