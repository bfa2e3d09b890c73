// The demo page in headless Chromium, served with the strict CSP a product page
// uses: the wasm and the model load, the info shows, a bad file is refused
// with its code while the old model stays in service, and a module Worker works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ARTIFACTS, assertClean, openPage, useDemoServer } from './browser.mjs';
import { GOLDEN_V1_0_PATH } from '../js/helpers.mjs';

const demo = useDemoServer();
const { skip } = demo;

async function openDemo(viewport) {
  const opened = await openPage(demo.browser, demo.origin, { viewport });
  const requests = [];
  opened.page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await opened.page.goto(demo.origin);
  await opened.page.locator('#model-status.ok').waitFor({ timeout: 15_000 });
  return { ...opened, requests };
}

test('the demo shows the model info under a strict CSP, on desktop and at 360 px', { skip }, async () => {
  for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['mobile', { width: 360, height: 800 }]]) {
    const { context, page, problems, requests } = await openDemo(viewport);
    assert.equal(await page.textContent('[data-field=id]'), 'cabine-demo');
    assert.equal(await page.textContent('[data-field=formatVersion]'), '1.0');
    assert.match(await page.textContent('[data-field=createdAt]'), /^\d{4}-\d\d-\d\dT/);
    assert.match(await page.textContent('[data-field=dataFingerprint]'), /^[0-9a-f]{64}$/);
    const sections = await page.locator('#sections tbody tr td:first-child').allTextContents();
    assert.deepEqual(sections, ['strings', 'metadata', 'fit', 'audiences', 'learned', 'decisions']);
    await page.locator('#worker-status.ok').waitFor({ timeout: 15_000 });
    assert.match(await page.textContent('#worker-status'), /module Worker loaded model “cabine-demo”/);
    const response = await page.request.get(demo.origin);
    assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
    assert.ok(!response.headers()['content-security-policy'].includes("'unsafe-eval'"));
    // Only the page's own assets and the model file.
    for (const path of requests) assert.match(path, /^\/(|index\.html|style\.css|demo\.js|worker\.js|cabine\/cabine(-core)?\.(js|wasm)|models\/demo\.cabine)$/, path);
    await page.screenshot({ path: `${ARTIFACTS}/demo-${name}.png`, fullPage: true });
    assertClean(problems);
    await context.close();
  }
});

test('the CSP is in force on the demo page (an inline script is refused)', { skip }, async () => {
  const { context, page } = await openDemo({ width: 800, height: 600 });
  const outcome = await page.evaluate(() => new Promise((resolve) => {
    document.addEventListener('securitypolicyviolation', (e) => resolve(`blocked by ${e.effectiveDirective}`));
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true;';
    document.head.append(script);
    setTimeout(() => resolve(window.__inlineRan ? 'ran' : 'no event'), 2000);
  }));
  assert.match(outcome, /^blocked by script-src/);
  await context.close();
});

test('a bad model file shows its error code and the old model stays in service; a good one replaces it', { skip }, async () => {
  const { context, page, problems } = await openDemo({ width: 1280, height: 900 });
  const golden = readFileSync(GOLDEN_V1_0_PATH);
  const input = page.locator('#model-file');
  await input.setInputFiles({ name: 'broken.cabine', mimeType: 'application/octet-stream', buffer: golden.subarray(0, 40) });
  await page.locator('#load-error').waitFor({ state: 'visible' });
  const error = await page.textContent('#load-error');
  assert.match(error, /“broken\.cabine” was not loaded: MODEL_TRUNCATED/);
  assert.match(error, /Model “cabine-demo” stays in service/);
  assert.equal(await page.textContent('[data-field=id]'), 'cabine-demo');
  await page.screenshot({ path: `${ARTIFACTS}/demo-bad-file.png`, fullPage: true });

  await input.setInputFiles({ name: 'golden.cabine', mimeType: 'application/octet-stream', buffer: golden });
  await page.locator('#load-error').waitFor({ state: 'hidden' });
  await page.waitForFunction(() => document.querySelector('[data-field=id]').textContent === 'golden-v1.0');
  assert.match(await page.textContent('#model-status'), /golden-v1\.0/);
  assertClean(problems);
  await context.close();
});

test('a model file dropped on the drop zone is loaded; a dropped bad file is refused', { skip }, async () => {
  const { context, page, problems } = await openDemo({ width: 1280, height: 900 });
  const drop = async (name, bytes) => {
    const dataTransfer = await page.evaluateHandle(({ name, bytes }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/octet-stream' }));
      return dt;
    }, { name, bytes });
    await page.dispatchEvent('#drop-zone', 'dragover', { dataTransfer });
    assert.ok(await page.locator('#drop-zone.over').count(), 'the zone shows it accepts the drop');
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
  };
  const golden = [...readFileSync(GOLDEN_V1_0_PATH)];
  await drop('bad.cabine', golden.slice(0, 10));
  await page.locator('#load-error').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#load-error'), /“bad\.cabine” was not loaded: MODEL_TRUNCATED: .*Model “cabine-demo” stays in service/);
  await drop('golden.cabine', golden);
  await page.waitForFunction(() => document.querySelector('[data-field=id]').textContent === 'golden-v1.0');
  assert.equal(await page.locator('#drop-zone.over').count(), 0);
  // The golden model has no fit section: the fit panel says so instead of failing.
  assert.match(await page.textContent('#fit-unavailable'), /no fit section/);
  assertClean(problems);
  await context.close();
});

test('the file input and its label are reachable by keyboard with visible focus', { skip }, async () => {
  const { context, page } = await openDemo({ width: 1280, height: 900 });
  let focused = '';
  for (let i = 0; i < 15 && focused !== 'model-file'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.id ?? '');
  }
  assert.equal(focused, 'model-file');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  await context.close();
});
