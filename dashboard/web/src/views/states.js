// Loading, empty and error states: every panel shows exactly one of these or its data.
import { h, replaceChildren } from './dom.js';

export function loadingState(text = 'Loading…') {
  return h('div.state.state-loading', { role: 'status', 'aria-live': 'polite' },
    h('span.spinner', { 'aria-hidden': 'true' }), h('span', {}, text));
}

/** An error with what went wrong and, when given, a button that tries again. */
export function errorState(error, retry) {
  return h('div.state.state-error', { role: 'alert' },
    h('h3', {}, 'Something went wrong'),
    h('p', {}, error?.message ?? String(error)),
    retry ? h('button.button', { type: 'button', onclick: retry }, 'Try again') : null);
}

/** A friendly "nothing here" with an explanation (string or nodes). */
export function emptyState(title, ...body) {
  return h('div.state.state-empty', { role: 'status' }, h('h3', {}, title), ...body);
}

/**
 * The one loading sequence of panels: the loading state, then render(data) or the error
 * state with "Try again". An aborted fetch (the user navigated away) leaves the target as
 * it is, since it is no longer on the page.
 * @returns the load function, to run it again
 */
export function loadInto(target, { loadingText, fetch, render }) {
  const load = async () => {
    replaceChildren(target, loadingState(loadingText));
    try {
      const data = await fetch();
      replaceChildren(target, render(data));
    } catch (error) {
      if (error.name !== 'AbortError') replaceChildren(target, errorState(error, load));
    }
  };
  load();
  return load;
}
