// @ts-check
import { admin } from './api.js';
import { announce, field, h, table } from './dom.js';

/**
 * @param {HTMLSelectElement} select
 * @param {Array<[string, string]>} options value, text
 */
function fill(select, options) {
  select.replaceChildren(...options.map(([value, text]) => h('option', { value }, text)));
}

/** @param {HTMLElement} view */
export async function faultsView(view) {
  const [faults, coverage] = await Promise.all([admin('/faults'), admin('/coverage')]);
  /** @type {Map<string, any[]>} operations (with their documented statuses) by vendor */
  const operations = new Map();
  for (const operation of coverage)
    operations.set(operation.vendor, [...(operations.get(operation.vendor) ?? []), operation]);

  const vendor = /** @type {HTMLSelectElement} */ (
    h('select', { id: 'fault-vendor', name: 'vendor' })
  );
  const operation = /** @type {HTMLSelectElement} */ (
    h('select', { id: 'fault-operation', name: 'operationId' })
  );
  const status = /** @type {HTMLSelectElement} */ (
    h('select', { id: 'fault-status', name: 'status' })
  );
  const delay = /** @type {HTMLInputElement} */ (
    h('input', { id: 'fault-delay', name: 'delayMs', type: 'number', min: 0, max: 60000, value: 0 })
  );
  const reset = /** @type {HTMLInputElement} */ (
    h('input', { id: 'fault-reset', name: 'reset', type: 'checkbox' })
  );
  const phase = /** @type {HTMLSelectElement} */ (
    h('select', { id: 'fault-phase', name: 'phase' })
  );
  const times = /** @type {HTMLInputElement} */ (
    h('input', {
      id: 'fault-times',
      name: 'times',
      type: 'number',
      min: 1,
      max: 1000000,
      placeholder: 'every call',
    })
  );
  fill(phase, [
    ['before-commit', 'before-commit'],
    ['after-commit', 'after-commit'],
  ]);
  fill(
    vendor,
    [...operations.keys()].map((name) => [name, name]),
  );
  const onOperation = () => {
    const chosen = (operations.get(vendor.value) ?? []).find(
      (entry) => entry.operationId === operation.value,
    );
    fill(status, [
      ['', 'none (delay or reset only)'],
      ...(chosen?.statuses ?? []).map(
        (/** @type {any} */ s) => /** @type {[string, string]} */ ([s.status, s.status]),
      ),
    ]);
  };
  const onVendor = () => {
    fill(operation, [
      ['', 'any operation'],
      ...(operations.get(vendor.value) ?? []).map(
        (entry) => /** @type {[string, string]} */ ([entry.operationId, entry.operationId]),
      ),
    ]);
    onOperation();
  };
  vendor.addEventListener('change', onVendor);
  operation.addEventListener('change', onOperation);
  onVendor();

  const add = async (/** @type {Event} */ event) => {
    event.preventDefault();
    /** @type {Record<string, unknown>} */
    const body = {
      vendor: vendor.value,
      delayMs: Number(delay.value || 0),
      reset: reset.checked,
      phase: phase.value,
    };
    if (operation.value) body.operationId = operation.value;
    // Statuses like `4XX` or `default` are documented ranges, not a status a fault can answer.
    if (/^\d{3}$/.test(status.value)) body.status = Number(status.value);
    if (times.value) body.times = Number(times.value);
    try {
      const fault = await admin('/faults', { method: 'POST', body });
      announce(`Added fault ${fault.id}`);
    } catch (error) {
      announce(`Fault not added: ${String(error)}`);
    }
    await faultsView(view);
  };
  const clear = async () => {
    await admin('/faults', { method: 'DELETE' });
    announce('Cleared every fault');
    await faultsView(view);
  };

  view.replaceChildren(
    h('h2', {}, 'Faults'),
    faults.length === 0
      ? h('p', {}, 'No fault is set in this namespace.')
      : table(
          'Faults set',
          ['Id', 'Vendor', 'Operation', 'Status', 'Delay (ms)', 'Reset', 'Phase', 'Remaining'],
          faults.map((/** @type {any} */ fault) => [
            fault.id,
            fault.vendor,
            fault.operationId ?? 'any',
            fault.status ?? '—',
            fault.delayMs,
            fault.reset ? 'yes' : 'no',
            fault.phase,
            fault.remaining ?? 'until cleared',
          ]),
        ),
    h('p', {}, h('button', { type: 'button', onclick: clear }, 'Clear every fault')),
    h(
      'form',
      { 'aria-labelledby': 'fault-title', onsubmit: add },
      h('h3', { id: 'fault-title' }, 'Add a fault'),
      field('Vendor', vendor),
      field('Operation', operation),
      field('Status (documented)', status),
      field('Delay (ms)', delay),
      field('Reset the connection', reset),
      field('Phase', phase),
      field('Times', times),
      h('button', { type: 'submit' }, 'Add fault'),
    ),
  );
}
