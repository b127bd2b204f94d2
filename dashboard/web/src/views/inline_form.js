// A small form that runs one API call: titled, its fields, a submit button that is
// disabled while the call runs, and the call's error shown under it.
import { h } from './dom.js';

/** onSubmit() is awaited; a thrown error's message appears in the form. */
export function inlineForm({ title, fields, submitLabel, primary = false, onSubmit }) {
  const problem = h('p.form-error', { role: 'alert' });
  const submit = h(primary ? 'button.button.button-primary' : 'button.button', { type: 'submit' }, submitLabel);
  return h('form.inline-form', {
    'aria-label': title,
    onsubmit: async (event) => {
      event.preventDefault();
      problem.textContent = '';
      submit.disabled = true;
      try {
        await onSubmit();
      } catch (error) {
        problem.textContent = error.message;
      } finally {
        submit.disabled = false;
      }
    },
  }, h('h3', {}, title), fields, submit, problem);
}
