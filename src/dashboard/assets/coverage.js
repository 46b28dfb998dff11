// @ts-check
import { admin } from './api.js';
import { h } from './dom.js';

/**
 * Operations × documented statuses, one table per vendor: how often each was served; a status an
 * operation does not document is an empty cell.
 * @param {HTMLElement} view
 */
export async function coverageView(view) {
  const coverage = await admin('/coverage');
  /** @type {Map<string, any[]>} */
  const byVendor = new Map();
  for (const operation of coverage)
    byVendor.set(operation.vendor, [...(byVendor.get(operation.vendor) ?? []), operation]);
  view.replaceChildren(h('h2', {}, 'Coverage'));
  for (const [vendor, operations] of byVendor) {
    const statuses = [
      ...new Set(
        operations.flatMap((operation) =>
          operation.statuses.map((/** @type {any} */ s) => s.status),
        ),
      ),
    ].sort();
    const rows = operations.map((operation) => {
      /** @type {Map<string, number>} */
      const served = new Map(
        operation.statuses.map((/** @type {any} */ s) => [s.status, s.served]),
      );
      return h(
        'tr',
        {},
        h('th', { scope: 'row' }, operation.operationId),
        ...statuses.map((status) => {
          const count = served.get(status);
          if (count === undefined) return h('td', { class: 'undocumented' }, '');
          return h('td', { class: count > 0 ? 'served' : 'unserved' }, count);
        }),
      );
    });
    view.append(
      h(
        'table',
        { class: 'coverage' },
        h('caption', {}, `${vendor}: times each documented status was served`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Operation'),
            ...statuses.map((status) => h('th', { scope: 'col' }, status)),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    );
  }
}
