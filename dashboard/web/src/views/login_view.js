// The login page. Success hands the session body to ctx.onLogin.
import { api } from '../api.js';
import { h, field, replaceChildren } from './dom.js';

const REASONS = {
  401: 'Wrong email or password.',
  429: 'Too many attempts. Wait a minute, then try again.',
};

export function renderLogin(root, ctx) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password',
    autocomplete: 'current-password', required: true });
  const message = h('p.form-error', { role: 'alert' });
  const submit = h('button.button.button-primary', { type: 'submit' }, 'Log in');

  const form = h('form.login-form', {
    onsubmit: async (event) => {
      event.preventDefault();
      message.textContent = '';
      submit.disabled = true;
      submit.textContent = 'Logging in…';
      try {
        ctx.onLogin(await api.login(email.value.trim(), password.value));
      } catch (error) {
        message.textContent = REASONS[error.status] ?? error.message;
        submit.disabled = false;
        submit.textContent = 'Log in';
        password.select();
      }
    },
  },
  field('Email', email),
  field('Password', password),
  message,
  submit);

  replaceChildren(root, h('main.login-page', {},
    h('div.login-card', {},
      h('div.brand.brand-large', {}, h('span.brand-mark', { 'aria-hidden': 'true' }), 'siagent'),
      h('h1', {}, 'Log in to your dashboard'),
      form,
      h('p.muted', {}, 'The first owner\'s password is printed once when the dashboard starts.'))));
  email.focus();
}
