// The one way views build DOM: h('tag.class', {props}, ...children).
// Text always goes in as text nodes (never innerHTML), so data from agents cannot inject
// markup.

/**
 * @param {string} spec  "tag", "tag.class", "tag#id", "tag#id.class1.class2"
 * @param {object} [props]  on<Event>: listener; class: extra classes; dataset: data-*;
 *   style: an object of CSS properties (set through CSSOM, which a strict
 *   Content-Security-Policy allows where a style attribute would not);
 *   any other key becomes an attribute (true → present, false/null/undefined → absent),
 *   except `value`, `checked`, `disabled`, `selected` which are set as properties.
 * @param {...(Node|string|number|null|false|Array)} children  falsy ones are skipped
 */
export function h(spec, props = {}, ...children) {
  const [tagAndId, ...classes] = spec.split('.');
  const [tag, id] = tagAndId.split('#');
  const element = document.createElement(tag || 'div');
  if (id) element.id = id;
  if (classes.length) element.className = classes.join(' ');
  for (const [key, value] of Object.entries(props ?? {})) {
    if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      if (value) element.className = [element.className, value].filter(Boolean).join(' ');
    } else if (key === 'style' && typeof value === 'object') {
      Object.assign(element.style, value);
    } else if (key === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (['value', 'checked', 'disabled', 'selected'].includes(key)) {
      element[key] = value;
    } else if (value === true) {
      element.setAttribute(key, '');
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(key, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces everything inside `element` with `children`. */
export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

let idCounter = 0;
/** A document-unique id, for label/aria-describedby pairs. */
export function uniqueId(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled form field: <label> + control, tied by id. */
export function field(labelText, control, hint) {
  const id = control.id || uniqueId('field');
  control.id = id;
  return h('div.field', {},
    h('label', { for: id }, labelText),
    control,
    hint ? h('p.field-hint', {}, hint) : null);
}

/** A <select> with options [{value, label}] or plain strings. */
export function select(props, options, selected) {
  return h('select', props, options.map((option) => {
    const { value, label } = typeof option === 'string' ? { value: option, label: option } : option;
    return h('option', { value, selected: value === selected }, label);
  }));
}
