// @ts-check
/** Building DOM nodes without innerHTML: every value from the server goes in as text. */

/**
 * @param {string} tag
 * @param {Record<string, string | boolean | number | EventListener | undefined>} [attributes]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'object' ? child : String(child));
  }
  return element;
}

/**
 * A table with a caption and header cells scoped to their columns.
 * @param {string} caption
 * @param {string[]} columns
 * @param {Array<Array<Node | string | number | null>>} rows
 */
export function table(caption, columns, rows) {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...columns.map((column) => h('th', { scope: 'col' }, column)))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
  );
}

/** @param {string} message */
export function announce(message) {
  const status = document.getElementById('status');
  if (status) status.textContent = message;
}

/**
 * A labelled form control: the label's `for` names the control's id.
 * @param {string} label
 * @param {HTMLElement} control with an id
 */
export function field(label, control) {
  return h('p', { class: 'field' }, h('label', { for: control.id }, label), control);
}
