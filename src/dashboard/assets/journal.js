// @ts-check
import { announce, field, h } from './dom.js';
import { followJournal } from './stream.js';
import { violationsOf, violationsTable } from './violations.js';

/** Rows the page keeps: a long session must not grow the page without end. */
const KEPT = 2000;

/** @type {AbortController | undefined} the one stream the page keeps open */
let following;

/** Closes the live journal, when the page leaves the view or changes namespace. */
export function stopJournal() {
  following?.abort();
  following = undefined;
}

/**
 * @param {any} entry
 * @param {{ vendor: string, operation: string, status: string }} filter
 */
function matches(entry, filter) {
  if (filter.vendor && entry.vendor !== filter.vendor) return false;
  if (filter.operation && !String(entry.operationId ?? '').includes(filter.operation)) return false;
  if (filter.status && String(entry.status) !== filter.status) return false;
  return true;
}

/** @param {HTMLElement} view */
export async function journalView(view) {
  stopJournal();
  /** @type {any[]} */
  const entries = [];
  const vendor = /** @type {HTMLInputElement} */ (
    h('input', { id: 'journal-vendor', name: 'vendor', autocomplete: 'off' })
  );
  const operation = /** @type {HTMLInputElement} */ (
    h('input', { id: 'journal-operation', name: 'operation', autocomplete: 'off' })
  );
  const status = /** @type {HTMLInputElement} */ (
    h('input', { id: 'journal-status', name: 'status', inputmode: 'numeric', autocomplete: 'off' })
  );
  const body = h('tbody', { id: 'journal-rows' });
  const details = h('section', {
    id: 'journal-details',
    'aria-live': 'polite',
    'aria-label': 'Violations of the chosen request',
  });
  const filter = () => ({
    vendor: vendor.value.trim(),
    operation: operation.value.trim(),
    status: status.value.trim(),
  });

  /** @param {any} entry */
  const row = (entry) =>
    h(
      'tr',
      {},
      h('td', {}, entry.time),
      h('td', {}, entry.vendor ?? '—'),
      h('td', {}, entry.operationId ?? '—'),
      h('td', {}, `${entry.method} ${entry.path}`),
      h('td', {}, entry.status),
      h(
        'td',
        {},
        entry.credential
          ? `${entry.credential.principal ?? '?'} (${entry.credential.fingerprint})`
          : '—',
      ),
      h(
        'td',
        {},
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Violations of ${entry.method} ${entry.path} at ${entry.time}`,
            onclick: async () => {
              const found = await violationsOf(entry);
              details.replaceChildren(
                h('h3', {}, `Violations of ${entry.method} ${entry.path}`),
                found.length === 0
                  ? h('p', {}, 'This request broke no contract.')
                  : violationsTable('Violations of the request', found),
              );
            },
          },
          'Violations',
        ),
      ),
    );
  const redraw = () =>
    body.replaceChildren(...entries.filter((entry) => matches(entry, filter())).map(row));
  for (const input of [vendor, operation, status]) input.addEventListener('input', redraw);

  view.replaceChildren(
    h('h2', {}, 'Journal'),
    h('p', { id: 'journal-state' }, 'Live: new requests appear as they are served.'),
    h(
      'form',
      {
        class: 'filters',
        'aria-label': 'Filter the journal',
        onsubmit: (/** @type {Event} */ e) => e.preventDefault(),
      },
      field('Vendor', vendor),
      field('Operation', operation),
      field('Status', status),
    ),
    h(
      'table',
      {},
      h('caption', {}, 'Requests, oldest first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Time', 'Vendor', 'Operation', 'Request', 'Status', 'Credential', 'Details'].map(
            (c) => h('th', { scope: 'col' }, c),
          ),
        ),
      ),
      body,
    ),
    details,
  );

  const controller = new AbortController();
  following = controller;
  followJournal((entry) => {
    entries.push(entry);
    if (entries.length > KEPT) {
      entries.splice(0, entries.length - KEPT);
      redraw();
    } else if (matches(entry, filter())) body.append(row(entry));
  }, controller.signal).then(
    () => {
      if (!controller.signal.aborted) announce('The journal stream was closed by the server.');
    },
    (error) => {
      if (!controller.signal.aborted) announce(`Journal: ${String(error)}`);
    },
  );
}
