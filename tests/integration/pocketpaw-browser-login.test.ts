import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { skipWithoutChromium, startChromium, type RunningBrowser } from '../support/browser.js';
import { call, FIXTURE, resetStandin, startStandin, type TestServer } from '../support/standin.js';

/**
 * PocketPaw's browser login in a real browser: a page on the vendor's own origin logs in as the
 * dashboard does (app.js `submitToken`: `fetch('/api/auth/login', {token})`), and from then on
 * the browser itself sends the HTTP-only cookie it was given. The page is the only thing not
 * served by standin (playwright answers the one navigation), so every call it makes is real.
 */
const skip = skipWithoutChromium();

let standin: TestServer;
let chromium: RunningBrowser | undefined;

before(async () => {
  if (skip) return;
  standin = await startStandin();
  chromium = await startChromium();
});

after(async () => {
  await chromium?.close();
  await standin?.close();
});

const DASHBOARD = '<!doctype html><title>PocketPaw</title><p>dashboard</p>';

/** A fresh browser profile with the dashboard page open on standin's origin. */
async function openDashboard(): Promise<{ context: BrowserContext; page: Page }> {
  if (!chromium) throw new Error('chromium did not start');
  const context = await chromium.browser.newContext();
  const page = await context.newPage();
  const pageUrl = `${standin.url}/pocketpaw/`;
  await page.route(pageUrl, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: DASHBOARD }),
  );
  await page.goto(pageUrl);
  return { context, page };
}

/** The dashboard's login, as app.js sends it: a same-origin JSON POST. */
function loginInPage(page: Page, token: string): Promise<{ status: number; body: string }> {
  return page.evaluate(async (submitted) => {
    const response = await fetch('/pocketpaw/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: submitted }),
    });
    return { status: response.status, body: await response.text() };
  }, token);
}

/** A later call with no Authorization header: only the browser's cookie can authenticate it. */
function versionInPage(page: Page): Promise<{ status: number; body: string }> {
  return page.evaluate(async () => {
    const response = await fetch('/pocketpaw/api/version', { credentials: 'same-origin' });
    return { status: response.status, body: await response.text() };
  });
}

test(
  'the browser keeps the HttpOnly cookie the login sets, sends it on its own, and loses the session at a regeneration',
  { skip },
  async () => {
    await resetStandin(standin.url);
    const { context, page } = await openDashboard();
    try {
      assert.equal((await versionInPage(page)).status, 401, 'not logged in yet');

      const login = await loginInPage(page, FIXTURE.pocketpaw.master);
      assert.equal(login.status, 200, login.body);
      assert.deepEqual(JSON.parse(login.body), { ok: true });

      const [cookie, ...others] = await context.cookies(standin.url);
      assert.equal(others.length, 0);
      assert.equal(cookie?.name, 'pocketpaw_session');
      assert.match(cookie?.value ?? '', /^\d+:[0-9a-f]{64}$/);
      assert.equal(cookie?.httpOnly, true);
      assert.equal(cookie?.sameSite, 'Lax');
      assert.equal(cookie?.path, '/');
      const lifetime = (cookie?.expires ?? 0) - Date.now() / 1000;
      assert.ok(Math.abs(lifetime - 86_400) < 60, `Max-Age=86400 (expires in ${lifetime} s)`);
      // An expression, as the tests are compiled without the DOM's types.
      const readable = await page.evaluate<string>('document.cookie');
      assert.equal(readable, '', 'HttpOnly: the page cannot read it');

      const read = await versionInPage(page);
      assert.equal(read.status, 200, read.body);
      assert.match(read.body, /"current"/);

      const rotated = await call(`${standin.url}/pocketpaw/api/token/regenerate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${FIXTURE.pocketpaw.master}` },
      });
      assert.equal(rotated.status, 200);
      const stale = await versionInPage(page);
      assert.equal(stale.status, 401);
      assert.deepEqual(JSON.parse(stale.body), { detail: 'Unauthorized' });
    } finally {
      await context.close();
    }
  },
);

test('a wrong token leaves the browser without a cookie', { skip }, async () => {
  await resetStandin(standin.url);
  const { context, page } = await openDashboard();
  try {
    const login = await loginInPage(page, 'pk_wrong');
    assert.equal(login.status, 401);
    assert.deepEqual(JSON.parse(login.body), { detail: 'Invalid access token' });
    assert.deepEqual(await context.cookies(standin.url), []);
    assert.equal((await versionInPage(page)).status, 401);
  } finally {
    await context.close();
  }
});
