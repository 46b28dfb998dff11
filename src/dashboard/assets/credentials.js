// @ts-check
import { admin, adminHeaders, answer, root } from './api.js';
import { announce, h, table } from './dom.js';

/**
 * How long until `expiresAt` on the virtual clock, in words.
 * @param {string | null} expiresAt
 * @param {number} now virtual clock, ms
 */
function remaining(expiresAt, now) {
  if (!expiresAt) return 'never';
  const ms = Date.parse(expiresAt) - now;
  if (ms <= 0) return `${expiresAt} (expired)`;
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  return `${expiresAt} (in ${days} d ${hours} h)`;
}

/**
 * Sends a `rotate`/`revoke` hint of the listing to the vendor, with the credential's own header:
 * the vendor's own operation, so the journal shows it.
 * @param {any} credential
 * @param {{ method: string, path: string, body?: unknown }} hint
 * @param {string} baseUrl the vendor's base URL
 */
async function sendHint(credential, hint, baseUrl) {
  const base = new URL(baseUrl, location.href);
  // A hint's path may already carry the vendor's mount (`/thousandeyes/v7/...`) or be relative to it.
  const path = hint.path.startsWith(base.pathname)
    ? hint.path
    : `${base.pathname.replace(/\/$/, '')}${hint.path}`;
  /** @type {Record<string, string>} */
  const headers = {
    'X-Standin-Namespace': adminHeaders()['X-Standin-Namespace'],
    Accept: 'application/json',
  };
  headers[credential.header] = credential.value;
  if (hint.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method: hint.method,
    headers,
    body: hint.body === undefined ? undefined : JSON.stringify(hint.body),
  });
  await answer(response);
  return response.status;
}

/** @param {HTMLElement} view */
export async function credentialsView(view) {
  const [credentials, clock, document_] = await Promise.all([
    admin('/credentials'),
    admin('/clock'),
    root(),
  ]);
  /** @type {Map<string, string>} */
  const baseUrls = new Map(
    document_.vendors.map((/** @type {any} */ vendor) => [vendor.name, vendor.baseUrl]),
  );
  const now = Date.parse(clock.now);
  view.replaceChildren(
    h('h2', {}, 'Credentials'),
    h(
      'p',
      {},
      'Every credential valid now, on the virtual clock (',
      h('time', { datetime: clock.now }, clock.now),
      ').',
    ),
  );
  /** @type {Map<string, any[]>} */
  const byVendor = new Map();
  for (const credential of credentials)
    byVendor.set(credential.vendor, [...(byVendor.get(credential.vendor) ?? []), credential]);
  for (const [vendor, list] of byVendor) {
    const rows = list.map((credential) => {
      const header = `${credential.header}: ${credential.value}`;
      const label = `${vendor} ${credential.principal}`;
      /** @param {'rotate' | 'revoke'} kind */
      const hintButton = (kind) =>
        credential[kind]
          ? h(
              'button',
              {
                type: 'button',
                'aria-label': `${kind === 'rotate' ? 'Rotate' : 'Revoke'} ${label} (${credential.value.slice(-6)})`,
                onclick: async () => {
                  try {
                    const status = await sendHint(
                      credential,
                      credential[kind],
                      baseUrls.get(vendor) ?? `/${vendor}`,
                    );
                    announce(`${kind === 'rotate' ? 'Rotated' : 'Revoked'} ${label}: ${status}`);
                  } catch (error) {
                    announce(`${kind} of ${label} failed: ${String(error)}`);
                  }
                  await credentialsView(view);
                },
              },
              kind === 'rotate' ? 'Rotate' : 'Revoke',
            )
          : null;
      return [
        credential.principal,
        h('code', { class: 'secret' }, header),
        remaining(credential.expiresAt, now),
        h(
          'span',
          { class: 'actions' },
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Copy header of ${label} (${credential.value.slice(-6)})`,
              onclick: async () => {
                try {
                  await navigator.clipboard.writeText(header);
                  announce(`Copied the ${credential.header} header of ${label}`);
                } catch (error) {
                  announce(`Could not copy: ${String(error)}`);
                }
              },
            },
            'Copy',
          ),
          hintButton('rotate'),
          hintButton('revoke'),
        ),
      ];
    });
    view.append(
      h(
        'section',
        { 'aria-labelledby': `credentials-${vendor}` },
        h('h3', { id: `credentials-${vendor}` }, vendor),
        table(`${vendor} credentials`, ['Principal', 'Header', 'Expires', 'Actions'], rows),
      ),
    );
  }
}
