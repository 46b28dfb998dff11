// @ts-check
/** The dashboard: one view at a time, chosen by the URL's hash. */
import { admin, namespace, setNamespace } from './api.js';
import { clockView } from './clock.js';
import { coverageView } from './coverage.js';
import { credentialsView } from './credentials.js';
import { announce, h } from './dom.js';
import { faultsView } from './faults.js';
import { journalView, stopJournal } from './journal.js';
import { vendorsView } from './vendors.js';
import { violationsView } from './violations.js';

/** @type {Record<string, (view: HTMLElement) => Promise<void>>} */
const VIEWS = {
  vendors: vendorsView,
  credentials: credentialsView,
  clock: clockView,
  faults: faultsView,
  journal: journalView,
  violations: violationsView,
  coverage: coverageView,
};

const view = /** @type {HTMLElement} */ (document.getElementById('view'));

/** Counts the views shown, so that only the latest marks the page ready. */
let visits = 0;

async function show() {
  const name = location.hash.slice(1) in VIEWS ? location.hash.slice(1) : 'vendors';
  if (name !== 'journal') stopJournal();
  for (const link of document.querySelectorAll('nav a')) {
    if (link.getAttribute('href') === `#${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${name[0].toUpperCase()}${name.slice(1)} · standin`;
  view.setAttribute('aria-busy', 'true');
  // A fresh container per visit: a slow view that answers after the reader has moved on draws
  // into a container no longer on the page, never over the view they went to.
  const visit = ++visits;
  const container = h('div', { class: 'view' }, h('p', {}, 'Loading…'));
  view.replaceChildren(container);
  try {
    await VIEWS[name](container);
  } catch (error) {
    container.replaceChildren(
      h('h2', {}, 'Something went wrong'),
      h('p', { role: 'alert' }, String(error)),
    );
  } finally {
    if (visit === visits) {
      view.removeAttribute('aria-busy');
      view.dataset.view = name;
    }
  }
}

async function listNamespaces() {
  try {
    const { namespaces } = await admin('/namespaces');
    const list = /** @type {HTMLElement} */ (document.getElementById('namespaces'));
    list.replaceChildren(
      ...namespaces.map((/** @type {{name: string}} */ ns) => h('option', { value: ns.name })),
    );
  } catch {
    // The selector still takes any name; the list is only a help.
  }
}

const input = /** @type {HTMLInputElement} */ (document.getElementById('namespace'));
input.value = namespace();
document.getElementById('namespace-form')?.addEventListener('submit', (event) => {
  event.preventDefault();
  setNamespace(input.value);
  input.value = namespace();
  announce(`Namespace ${namespace()}`);
  stopJournal();
  void show();
  void listNamespaces();
});
window.addEventListener('hashchange', () => {
  void show().then(() => view.focus());
});
void show();
void listNamespaces();
