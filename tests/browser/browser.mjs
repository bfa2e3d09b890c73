// Shared helpers for the browser tests: Debian's Chromium driven by playwright-core.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.mjs';

export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const CHROMIUM = process.env.CABINE_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumMissing() {
  return existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (scripts/setup installs Debian's chromium)`;
}

export async function launch() {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    // The background-networking flags keep Chromium off the closed network (TOOLCHAIN.md).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * Opens a page that records console errors, uncaught page errors and every
 * request outside `origin`, for the tests to assert on.
 */
export async function openPage(browser, origin, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = { consoleErrors: [], pageErrors: [], foreignRequests: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => problems.pageErrors.push(err.message));
  context.on('request', (req) => {
    if (!req.url().startsWith(origin)) problems.foreignRequests.push(req.url());
  });
  return { context, page, problems };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The demo model the pages load: scripts/test writes it before the browser
 * stage; a browser test run on its own writes it when it is missing.
 */
export function ensureDemoModel() {
  if (!existsSync(`${ROOT}/build/demo/demo.cabine`)) execFileSync(`${ROOT}/scripts/demo-model`, { stdio: 'ignore' });
}


/**
 * The demo server (scripts/serve.mjs, strict CSP) and Chromium for one test
 * file: started before its tests, stopped after. `skip` says why the tests
 * cannot run here, or is false.
 */
export function useDemoServer() {
  const demo = { skip: chromiumMissing(), origin: null, browser: null, server: null };
  before(async () => {
    if (demo.skip) return;
    ensureDemoModel();
    ({ server: demo.server, url: demo.origin } = await startServer({ port: 0 }));
    demo.browser = await launch();
  });
  after(async () => {
    await demo.browser?.close();
    demo.server?.close();
  });
  return demo;
}

/** What every page test asserts at its end: no page error, no console error, no request off the origin. */
export function assertClean(problems) {
  assert.deepEqual(problems.pageErrors, [], 'uncaught errors in the page');
  assert.deepEqual(problems.consoleErrors, [], 'console errors');
  assert.deepEqual(problems.foreignRequests, [], 'requests outside the page origin');
}
