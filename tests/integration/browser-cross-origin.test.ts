import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { skipWithoutChromium, startChromium, type RunningBrowser } from '../support/browser.js';
import { call, FIXTURE, startStandin, type TestServer } from '../support/standin.js';

/**
 * What a web page in a real browser can do to standin: the attack the control plane must stand.
 * The page is served on `localhost`, standin on `127.0.0.1`: another site to the browser, as an
 * attacker's page would be, while every byte stays on loopback.
 */
const skip = skipWithoutChromium();

let standin: TestServer;
let trusting: TestServer;
let pages: Server;
let pageOrigin: string;
let chromium: RunningBrowser | undefined;
let folder: string;

before(async () => {
  if (skip) return;
  pages = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html');
    response.end('<!doctype html><title>a page on another origin</title><p>hello</p>');
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://localhost:${(pages.address() as AddressInfo).port}`;
  standin = await startStandin();
  trusting = await startStandin({ corsOrigins: [pageOrigin] });
  folder = await mkdtemp(path.join(tmpdir(), 'standin-page-'));
  await writeFile(path.join(folder, 'page.html'), '<!doctype html><title>a file</title>');
  chromium = await startChromium();
});

after(async () => {
  await chromium?.close();
  await standin?.close();
  await trusting?.close();
  await new Promise((resolve) => (pages ? pages.close(resolve) : resolve(undefined)));
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** Runs `fetch` in the page; what the page could read, or the error the browser gave it. */
function fetchInPage(page: Page, url: string, init: RequestInit): Promise<string> {
  return page.evaluate(
    async ([target, options]) => {
      try {
        const response = await fetch(target, options);
        if (response.type === 'opaque') return 'opaque';
        return `${response.status} ${await response.text()}`;
      } catch (error) {
        return `blocked: ${String(error)}`;
      }
    },
    [url, init] as const,
  );
}

async function openPage(url: string): Promise<Page> {
  if (!chromium) throw new Error('chromium did not start');
  const page = await chromium.browser.newPage();
  await page.goto(url);
  return page;
}

test(
  'a page on another site cannot read credentials, move the clock or reset the state',
  { skip },
  async () => {
    const rotated = await call(`${standin.url}/thousandeyes/v7/api-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${FIXTURE.thousandeyes.alice}` },
    });
    assert.equal(rotated.status, 201);
    const page = await openPage(pageOrigin);
    try {
      const admin = `${standin.url}/__admin`;
      const credentials = await fetchInPage(page, `${admin}/credentials`, {
        credentials: 'include',
      });
      assert.match(credentials, /^blocked/);
      const clock = await fetchInPage(page, `${admin}/clock`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advance: 'P30D' }),
      });
      assert.match(clock, /^blocked/);
      // No preflight for this one: the browser sends it and hides the answer. It must not run.
      const reset = await fetchInPage(page, `${admin}/reset`, { method: 'POST', mode: 'no-cors' });
      assert.equal(reset, 'opaque');
      const rotation = await fetchInPage(page, `${standin.url}/thousandeyes/v7/api-tokens`, {
        method: 'POST',
        mode: 'no-cors',
        body: 'x',
      });
      assert.equal(rotation, 'opaque');
    } finally {
      await page.close();
    }
    const clock = (await call(`${standin.url}/__admin/clock`)).json as { offsetMs: number };
    assert.ok(Math.abs(clock.offsetMs) < 1000, 'the clock did not move');
    const again = await call(`${standin.url}/thousandeyes/v7/api-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${FIXTURE.thousandeyes.alice}` },
    });
    assert.equal(
      again.status,
      409,
      'the reset did not run: both tokens are still in their overlap',
    );
    const journal = (await call(`${standin.url}/__admin/requests`)).json as Array<{ path: string }>;
    assert.ok(!journal.some((entry) => entry.path === '/__admin/reset'));
    await call(`${standin.url}/__admin/reset`, { method: 'POST' });
  },
);

test('a file:// page (Origin: null) cannot read the control plane either', { skip }, async () => {
  const page = await openPage(`file://${path.join(folder, 'page.html')}`);
  try {
    const credentials = await fetchInPage(page, `${standin.url}/__admin/credentials`, {
      credentials: 'include',
    });
    assert.match(credentials, /^blocked/);
  } finally {
    await page.close();
  }
});

test(
  'the same page calls the vendors with an Authorization header and reads the answers',
  { skip },
  async () => {
    const page = await openPage(pageOrigin);
    try {
      const answer = await fetchInPage(page, `${standin.url}/thousandeyes/v7/users/current`, {
        headers: { authorization: `Bearer ${FIXTURE.thousandeyes.bob}` },
      });
      assert.match(answer, /^200 /);
      assert.match(answer, /"uid"/);
    } finally {
      await page.close();
    }
  },
);

test(
  'a page whose origin --cors-origins lists may use the control plane, cookies included',
  { skip },
  async () => {
    const page = await openPage(pageOrigin);
    try {
      const credentials = await fetchInPage(page, `${trusting.url}/__admin/credentials`, {
        credentials: 'include',
      });
      assert.match(credentials, /^200 /);
      assert.match(credentials, new RegExp(FIXTURE.thousandeyes.alice));
      const clock = await fetchInPage(page, `${trusting.url}/__admin/clock`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advance: 'P1D' }),
      });
      assert.match(clock, /^200 /);
    } finally {
      await page.close();
    }
  },
);
