// @ts-check
/**
 * Every call the page makes: same origin, the namespace as X-Standin-Namespace, the admin token
 * (asked once, on the first 401) as a bearer token. Nothing else talks to the server.
 */

const TOKEN_KEY = 'standin.adminToken';
const NAMESPACE_KEY = 'standin.namespace';

/** @returns {string} */
export function namespace() {
  return sessionStorage.getItem(NAMESPACE_KEY) || 'default';
}

/** @param {string} name */
export function setNamespace(name) {
  sessionStorage.setItem(NAMESPACE_KEY, name.trim() || 'default');
}

/** @returns {Record<string, string>} the headers every admin call carries */
export function adminHeaders() {
  /** @type {Record<string, string>} */
  const headers = { 'X-Standin-Namespace': namespace() };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

/** @type {Promise<string> | undefined} one question at a time, however many calls got a 401 */
let asking;

/** Asks for the admin token in the page's dialog; resolves once it is typed. */
function askToken() {
  asking ??= new Promise((resolve) => {
    const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('token-dialog'));
    const input = /** @type {HTMLInputElement} */ (document.getElementById('token'));
    input.value = '';
    dialog.addEventListener(
      'close',
      () => {
        sessionStorage.setItem(TOKEN_KEY, input.value);
        asking = undefined;
        resolve(input.value);
      },
      { once: true },
    );
    dialog.showModal();
  });
  return asking;
}

/**
 * A fetch that asks for the admin token when the answer is a 401 and tries once more with it.
 * @param {string} url
 * @param {RequestInit & { headers?: Record<string, string> }} [init]
 * @returns {Promise<Response>}
 */
export async function adminFetch(url, init = {}) {
  const send = () => fetch(url, { ...init, headers: { ...adminHeaders(), ...init.headers } });
  let response = await send();
  if (response.status === 401 && url.startsWith('/__admin')) {
    await askToken();
    response = await send();
  }
  return response;
}

/**
 * A control-plane call answering JSON (or nothing); a problem answer becomes an Error with its detail.
 * @param {string} path under /__admin, e.g. `/clock`
 * @param {{ method?: string, body?: unknown }} [options]
 * @returns {Promise<any>}
 */
export async function admin(path, { method = 'GET', body } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await adminFetch(`/__admin${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return answer(response);
}

/**
 * @param {Response} response
 * @returns {Promise<any>}
 */
export async function answer(response) {
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const detail = json && typeof json === 'object' && 'detail' in json ? json.detail : text;
    throw new Error(`${response.status}: ${detail}`);
  }
  return json;
}

/** The root document: the vendors, their operations, base and spec URLs. */
export async function root() {
  return answer(await fetch('/', { headers: { Accept: 'application/json', ...adminHeaders() } }));
}
