// A two-step button for destructive actions: the first press asks, the second acts.
// (An inline question instead of window.confirm, which tests and keyboards handle badly.)
import { h, replaceChildren } from './dom.js';

export function confirmButton(label, question, action) {
  const holder = h('span.confirm');
  const ask = () => {
    const yes = h('button.button.button-danger', { type: 'button', onclick: act }, `Yes, ${label.toLowerCase()}`);
    replaceChildren(holder, h('span.confirm-question', {}, question), yes,
      h('button.button.button-quiet', { type: 'button', onclick: reset }, 'Cancel'));
    yes.focus();
  };
  const act = async () => {
    replaceChildren(holder, h('span.muted', {}, 'Working…'));
    try {
      await action();
    } catch (error) {
      replaceChildren(holder, h('span.form-error', { role: 'alert' }, error.message),
        h('button.button.button-quiet', { type: 'button', onclick: reset }, 'OK'));
    }
  };
  const reset = () => replaceChildren(holder,
    h('button.button.button-quiet', { type: 'button', onclick: ask }, label));
  reset();
  return holder;
}
