// @ts-check
import { admin } from './api.js';
import { h, table } from './dom.js';

/**
 * The violations table: where the check looked, what it found, the schema path.
 * @param {string} caption
 * @param {any[]} violations
 */
export function violationsTable(caption, violations) {
  return table(
    caption,
    ['Time', 'Direction', 'Request', 'Status', 'Where', 'What', 'Schema path', 'Expected'],
    violations.map((violation) => [
      violation.time,
      violation.direction,
      `${violation.vendor ?? '—'} ${violation.operationId ?? '—'} ${violation.method} ${violation.path}`,
      violation.status,
      [violation.in, violation.name, violation.pointer].filter(Boolean).join(' '),
      violation.message,
      violation.schemaPath ?? '—',
      violation.expected
        ? `yes${violation.expectedReason ? `: ${violation.expectedReason}` : ''}`
        : 'no',
    ]),
  );
}

/**
 * The violations of one journal entry: the same request (time, method, path).
 * @param {any} entry
 */
export async function violationsOf(entry) {
  const all = await admin('/violations');
  return all.filter(
    (/** @type {any} */ violation) =>
      violation.time === entry.time &&
      violation.method === entry.method &&
      violation.path === entry.path,
  );
}

/** @param {HTMLElement} view */
export async function violationsView(view) {
  const violations = await admin('/violations');
  view.replaceChildren(
    h('h2', {}, 'Violations'),
    violations.length === 0
      ? h('p', {}, 'No contract violation in this namespace.')
      : violationsTable('Contract violations, oldest first', violations),
  );
}
