import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { createServer, type RunningServer } from '../../src/index.js';
import { skipWithoutChromium, startChromium, type RunningBrowser } from '../support/browser.js';
import { FIXTURE } from '../support/standin.js';

/**
 * The dashboard in a real browser (Debian's chromium): each view shows the fixture's data and
 * passes axe-core; the page's rotate, clock and live-journal controls act on the real server, which
 * the test then checks from outside the browser. Screenshots land in test-results/dashboard/.
 */
const skip = skipWithoutChromium();
const SHOTS = path.resolve('test-results/dashboard');
const AXE = path.resolve('node_modules/axe-core/axe.min.js');
const VIEWS = ['vendors', 'credentials', 'clock', 'faults', 'journal', 'violations', 'coverage'];

let standin: RunningServer;
let chromium: RunningBrowser | undefined;
let context: BrowserContext;

before(async () => {
  if (skip) return;
  standin = await createServer({ port: 0, log: 'silent' });
  chromium = await startChromium();
  context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: standin.url });
  await mkdir(SHOTS, { recursive: true });
  console.log(`dashboard screenshots: ${SHOTS}`);
});

after(async () => {
  await chromium?.close();
  await standin?.close();
});

beforeEach(async () => {
  if (skip) return;
  const reset = await fetch(`${standin.url}/__admin/reset`, { method: 'POST' });
  assert.equal(reset.status, 204);
});

/** Opens a view and waits until it has drawn its data. */
async function openView(page: Page, name: string): Promise<void> {
  await page.goto(`${standin.url}/__admin/ui/#${name}`);
  await page.waitForSelector(`main[data-view="${name}"]:not([aria-busy])`, { timeout: 10_000 });
}

/** A vendor call from the test process (Node's fetch), outside the browser. */
function vendorCall(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<Response> {
  return fetch(`${standin.url}${url}`, { method, headers });
}

/** Waits for the page's status line (its aria-live region) to start with `text`. */
async function statusStartsWith(page: Page, text: string): Promise<void> {
  await page
    .locator('#status')
    .filter({ hasText: new RegExp(`^${text}`) })
    .waitFor({ timeout: 10_000 });
}

interface AxeViolation {
  id: string;
  impact?: string | null;
  nodes: unknown[];
}

/** axe-core's serious and critical findings on the page as it is now. */
async function axeFindings(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol, which the page's Content-Security-Policy (rightly
  // refusing inline scripts) does not govern: the page under test stays exactly as served.
  await page.evaluate(await readFile(AXE, 'utf8'));
  // A string, since this file is compiled without the DOM's types: it runs in the page.
  const violations = await page.evaluate<AxeViolation[]>(
    'axe.run().then((result) => result.violations)',
  );
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}, ${violation.nodes.length} nodes)`);
}

test(
  'each view opens, shows the fixture data, and axe finds no serious violation',
  { skip },
  async () => {
    // Data for the views that start empty: a fault, a served request and a contract violation.
    const added = await fetch(`${standin.url}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'projectdiscovery', delayMs: 7, times: 2 }),
    });
    assert.equal(added.status, 201);
    await vendorCall('/thousandeyes/v7/users/current', {
      authorization: `Bearer ${FIXTURE.thousandeyes.alice}`,
    });
    await vendorCall('/thousandeyes/v7/no-such-thing', {});

    const page = await context.newPage();
    const expected: Record<string, string[]> = {
      vendors: ['API Token Management API', 'regenerateApiToken', 'Swagger UI for PDCP API'],
      credentials: [
        `Authorization: Bearer ${FIXTURE.thousandeyes.alice}`,
        `X-API-Key: ${FIXTURE.projectdiscovery.alice}`,
      ],
      clock: ['Offset from real time', '0 ms'],
      faults: ['projectdiscovery', 'Add a fault'],
      journal: ['/thousandeyes/v7/users/current', '/thousandeyes/v7/no-such-thing'],
      violations: [
        'no operation of any loaded spec matches the path /thousandeyes/v7/no-such-thing',
      ],
      coverage: ['getCurrentUser', 'post-v1-user-apikey-rotate'],
    };
    for (const name of VIEWS) {
      await openView(page, name);
      if (name === 'journal') await page.waitForSelector('#journal-rows tr', { timeout: 2000 });
      const text = await page.locator('main').innerText();
      for (const wanted of expected[name] ?? [])
        assert.ok(text.includes(wanted), `${name} shows ${wanted}`);
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
      assert.deepEqual(await axeFindings(page), [], `axe on ${name}`);
    }
    // A fresh load (a hash change is no navigation), for the first paint below.
    const loaded = await page.goto(`${standin.url}/__admin/ui/`);
    assert.equal(loaded?.status(), 200);
    await page.waitForSelector('main[data-view="vendors"]:not([aria-busy])');
    const swagger = page.getByRole('link', { name: 'Swagger UI for API Token Management API' });
    assert.equal(await swagger.getAttribute('href'), '/__admin/ui/swagger/thousandeyes');
    // First paint, for the report (not a timed assertion).
    const paint = await page.evaluate<number | null>(
      "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null",
    );
    console.log(
      `dashboard first contentful paint: ${paint === null ? 'unknown' : `${Math.round(paint)} ms`}`,
    );

    // The vendor's Swagger UI page, served locally, renders the vendor's operations.
    const swaggerPage = await page.goto(`${standin.url}/__admin/ui/swagger/thousandeyes`);
    assert.equal(swaggerPage?.status(), 200);
    await page.waitForSelector('.opblock', { timeout: 10_000 });
    await page.screenshot({ path: path.join(SHOTS, 'swagger-thousandeyes.png'), fullPage: true });
    await page.close();
  },
);

test(
  'the copy button puts exactly the header a client sends on the clipboard',
  { skip },
  async () => {
    const page = await context.newPage();
    await openView(page, 'credentials');
    const value = FIXTURE.projectdiscovery.alice;
    await page
      .getByRole('button', { name: `Copy header of projectdiscovery alice (${value.slice(-6)})` })
      .click();
    await statusStartsWith(page, 'Copied');
    assert.equal(
      await page.evaluate<string>('navigator.clipboard.readText()'),
      `X-API-Key: ${value}`,
    );
    await page.close();
  },
);

test(
  'rotating a ProjectDiscovery key from the page makes the old one fail on the API',
  { skip },
  async () => {
    const old = FIXTURE.projectdiscovery.alice;
    assert.equal((await vendorCall('/projectdiscovery/v1/user', { 'x-api-key': old })).status, 200);
    const page = await context.newPage();
    await openView(page, 'credentials');
    await page
      .getByRole('button', { name: `Rotate projectdiscovery alice (${old.slice(-6)})` })
      .click();
    await statusStartsWith(page, 'Rotated');
    await page.waitForSelector('main[data-view="credentials"]:not([aria-busy])');
    assert.equal((await vendorCall('/projectdiscovery/v1/user', { 'x-api-key': old })).status, 401);
    assert.ok(
      !(await page.locator('main').innerText()).includes(old),
      'the old key is gone from the page',
    );
    await page.close();
  },
);

test(
  'a P15D advance from the page expires the old ThousandEyes token after a rotation',
  { skip },
  async () => {
    const old = FIXTURE.thousandeyes.alice;
    const page = await context.newPage();
    await openView(page, 'credentials');
    await page.getByRole('button', { name: `Rotate thousandeyes 1001 (${old.slice(-6)})` }).click();
    await statusStartsWith(page, 'Rotated');
    // ThousandEyes keeps the previous token for 14 days: it still works, and the page shows when it ends.
    assert.equal(
      (await vendorCall('/thousandeyes/v7/users/current', { authorization: `Bearer ${old}` }))
        .status,
      200,
    );
    await page.waitForSelector('main[data-view="credentials"]:not([aria-busy])');
    const before = await page.locator('tr', { hasText: old }).innerText();
    assert.match(before, /in 13 d|in 14 d/);

    await openView(page, 'clock');
    await page.getByLabel('ISO 8601 duration').fill('P15D');
    await page.getByRole('button', { name: 'Advance', exact: true }).click();
    await statusStartsWith(page, 'Clock now');
    await page.waitForSelector('main[data-view="clock"]:not([aria-busy])');
    assert.notEqual(await page.locator('#clock-offset').innerText(), '0 ms');

    await openView(page, 'credentials');
    const row = page.locator('tr', { hasText: old });
    const gone = (await row.count()) === 0 || (await row.innerText()).includes('expired');
    assert.ok(gone, 'the old token is gone or shown expired');
    assert.equal(
      (await vendorCall('/thousandeyes/v7/users/current', { authorization: `Bearer ${old}` }))
        .status,
      401,
    );
    await page.screenshot({ path: path.join(SHOTS, 'credentials-after-p15d.png'), fullPage: true });
    await page.close();
  },
);

test(
  'the live journal shows a request made outside the browser within a second',
  { skip },
  async () => {
    const page = await context.newPage();
    await openView(page, 'journal');
    // Let the stream's backlog (empty after the reset) arrive before the request it must show.
    await page.waitForTimeout(200);
    const sent = Date.now();
    const answer = await vendorCall('/projectdiscovery/v1/user', {
      'x-api-key': FIXTURE.projectdiscovery.bob,
    });
    assert.equal(answer.status, 200);
    await page.waitForSelector('#journal-rows tr:has-text("/projectdiscovery/v1/user")', {
      timeout: 1000,
    });
    console.log(`live journal row after ${Date.now() - sent} ms`);

    // A row opens that request's violations.
    await vendorCall('/projectdiscovery/v1/nowhere', {});
    const button = page.getByRole('button', {
      name: /Violations of GET \/projectdiscovery\/v1\/nowhere/,
    });
    await button.waitFor({ timeout: 1000 });
    await page.getByLabel('Status', { exact: true }).fill('404');
    const statuses = await page.locator('#journal-rows tr td:nth-child(5)').allInnerTexts();
    assert.ok(
      statuses.length > 0 && statuses.every((status) => status === '404'),
      'the status filter keeps 404s only',
    );
    await button.click();
    await page.waitForSelector('#journal-details table');
    assert.match(
      await page.locator('#journal-details').innerText(),
      /no operation of any loaded spec/,
    );
    await page.close();
  },
);

test(
  'a fault added from the page strikes the API, and clearing it from the page ends it',
  { skip },
  async () => {
    const page = await context.newPage();
    await openView(page, 'faults');
    await page.getByLabel('Vendor').selectOption('projectdiscovery');
    await page.getByLabel('Operation').selectOption('get-v1-user');
    const documented = await page.locator('#fault-status option').allInnerTexts();
    const status =
      documented.find((text) => /^5\d\d$/.test(text)) ??
      documented.find((text) => /^\d{3}$/.test(text) && text !== '200');
    assert.ok(status, `a documented error status among ${documented.join(', ')}`);
    await page.getByLabel('Status (documented)').selectOption(status);
    await page.getByLabel('Times').fill('1');
    await page.getByRole('button', { name: 'Add fault' }).click();
    await statusStartsWith(page, 'Added fault');
    await page.waitForSelector('main[data-view="faults"]:not([aria-busy]) table');
    const struck = await vendorCall('/projectdiscovery/v1/user', {
      'x-api-key': FIXTURE.projectdiscovery.alice,
    });
    assert.equal(struck.status, Number(status));

    // A second fault (a delay on every gorules call, until cleared) so that clearing has two to clear.
    await page.getByLabel('Delay (ms)').fill('5');
    await page.getByRole('button', { name: 'Add fault' }).click();
    await statusStartsWith(page, 'Added fault');
    await page.getByRole('button', { name: 'Clear every fault' }).click();
    await statusStartsWith(page, 'Cleared');
    const listed = await fetch(`${standin.url}/__admin/faults`);
    assert.deepEqual(await listed.json(), []);
    await page.close();
  },
);

test('the admin token is asked once and sent on every call', { skip }, async () => {
  const guarded = await createServer({ port: 0, log: 'silent', adminToken: 'dashboard-secret' });
  const page = await context.newPage();
  try {
    await page.goto(`${guarded.url}/__admin/ui/#clock`);
    await page.getByRole('textbox', { name: 'Admin token' }).fill('dashboard-secret');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForSelector('main[data-view="clock"]:not([aria-busy]) #clock-now', {
      timeout: 10_000,
    });
    await page.goto(`${guarded.url}/__admin/ui/#credentials`);
    await page.waitForSelector('main[data-view="credentials"]:not([aria-busy])');
    assert.equal(await page.locator('dialog[open]').count(), 0, 'not asked twice');
    assert.ok((await page.locator('main').innerText()).includes(FIXTURE.thousandeyes.bob));
  } finally {
    await page.close();
    await guarded.close();
  }
});

test('the namespace selector sends X-Standin-Namespace on every call', { skip }, async () => {
  await vendorCall('/thousandeyes/v7/users/current', {
    authorization: `Bearer ${FIXTURE.thousandeyes.alice}`,
    'x-standin-namespace': 'team-a',
  });
  const page = await context.newPage();
  await openView(page, 'journal');
  await page.getByLabel('Namespace').fill('team-a');
  await page.getByRole('button', { name: 'Use', exact: true }).click();
  await page.waitForSelector('#journal-rows tr:has-text("/thousandeyes/v7/users/current")', {
    timeout: 2000,
  });
  await page.close();
});
