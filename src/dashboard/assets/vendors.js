// @ts-check
import { admin, root } from './api.js';
import { h, table } from './dom.js';

/**
 * Each vendor: its operations, their documented statuses and how many of them were served, and
 * its Swagger UI page.
 * @param {HTMLElement} view
 */
export async function vendorsView(view) {
  const [document_, coverage] = await Promise.all([root(), admin('/coverage')]);
  /** @type {Map<string, Array<{status: string, served: number}>>} */
  const statuses = new Map();
  for (const operation of coverage)
    statuses.set(`${operation.vendor} ${operation.operationId}`, operation.statuses);
  view.replaceChildren(h('h2', {}, 'Vendors'));
  for (const vendor of document_.vendors) {
    const rows = vendor.operations.map((/** @type {any} */ operation) => {
      const documented = statuses.get(`${vendor.name} ${operation.operationId}`) ?? [];
      const served = documented.filter((status) => status.served > 0).length;
      return [
        operation.operationId,
        `${operation.method} ${operation.path}`,
        documented.map((status) => status.status).join(' '),
        `${served} of ${documented.length}`,
      ];
    });
    view.append(
      h(
        'section',
        { class: 'vendor', 'aria-labelledby': `vendor-${vendor.name}` },
        h('h3', { id: `vendor-${vendor.name}` }, `${vendor.title} (${vendor.name})`),
        h(
          'p',
          {},
          h(
            'a',
            { href: `/__admin/ui/swagger/${encodeURIComponent(vendor.name)}` },
            `Swagger UI for ${vendor.title}`,
          ),
          ' · base URL ',
          h('code', {}, vendor.baseUrl),
          ' · ',
          h('a', { href: vendor.specUrl }, 'OpenAPI document'),
        ),
        table(
          `${vendor.title} operations`,
          ['Operation', 'Request', 'Documented statuses', 'Statuses served'],
          rows,
        ),
      ),
    );
  }
}
