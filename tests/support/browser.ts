import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { endOnSignals } from './children.js';
import { skipUnlessInstalled } from './installed.js';

/**
 * A real browser for the tests that are about what a browser allows: Debian's chromium, driven
 * by playwright-core (which downloads no browser of its own). Skipped loudly when it is missing,
 * failed under STANDIN_REQUIRE_SERVERS=1 (CI installs it).
 */
const CHROMIUM = '/usr/bin/chromium';

export function skipWithoutChromium(): string | false {
  return skipUnlessInstalled(existsSync(CHROMIUM) ? CHROMIUM : undefined, 'chromium');
}

export interface RunningBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Headless, with a fresh profile (playwright makes one per launch), and without the background
 * networking that would try to reach Google's hosts from a machine that has no route to them.
 */
export async function startChromium(): Promise<RunningBrowser> {
  // Playwright kills its browser when this process exits; but on SIGTERM (node's runner, at
  // --test-timeout) it only closes it and leaves the process running, which the runner then
  // waits for without end. See support/children.ts.
  endOnSignals();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      // close() ends the browser process (and playwright kills it if the test process ends
      // first); a close that hangs must not hang the test file.
      await Promise.race([
        browser.close(),
        new Promise((resolve) => setTimeout(resolve, 5000).unref()),
      ]);
    },
  };
}
