// The sample product page under the strict CSP, on the main thread and in the
// module Worker variant: the size suggestion beside the picker, the banner and
// the incentive line from decide(), exposures only for what rendered, no
// request but the page's own assets and the model, no console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, assertClean, openPage, useDemoServer } from './browser.mjs';

const demo = useDemoServer();
const { skip } = demo;

const OWN_ASSETS = /^\/(product\.html|style\.css|product\.css|product\.js|product-worker\.js|cabine\/cabine(-core)?\.(js|wasm)|models\/demo\.cabine)$/;

for (const [variant, query, viewport] of [
  ['main thread', '', { width: 1280, height: 900 }],
  ['module Worker', '?worker', { width: 360, height: 800 }],
]) {
  test(`the product page (${variant}) suggests a size and fills the banner under the strict CSP`, { skip }, async () => {
    const { context, page, problems } = await openPage(demo.browser, demo.origin, { viewport });
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    // Count the WebAssembly modules the page's own thread compiles or instantiates.
    await page.addInitScript(() => {
      window.wasmOnMainThread = 0;
      for (const name of ['compile', 'compileStreaming', 'instantiate', 'instantiateStreaming']) {
        const original = WebAssembly[name];
        WebAssembly[name] = function counted(...args) {
          window.wasmOnMainThread += 1;
          return original.apply(this, args);
        };
      }
    });
    const response = await page.goto(new URL(`product.html${query}`, demo.origin).href);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.ok(!csp.includes("'unsafe-eval'"));
    await page.locator('body[data-ready=true]').waitFor({ timeout: 15_000 });

    assert.match(await page.textContent('#engine-mode'), query ? /runs in a module Worker/ : /runs on the main thread/);
    const hint = await page.textContent('#size-hint');
    const [, size] = hint.match(/^We suggest (\d+) \(\d+ % confident\)\.$/) ?? [];
    assert.ok(size, hint);
    assert.equal(await page.textContent('#sizes label.suggested'), size, 'the suggested size is marked in the picker');
    assert.equal(await page.getAttribute('#sizes label.suggested', 'aria-label'), `${size} (suggested)`);
    assert.equal(await page.textContent('#add-to-cart'), 'Pick a size');
    assert.ok(await page.isDisabled('#add-to-cart'));
    await page.click('summary');
    assert.match(await page.textContent('#size-why-text'), /^Most shoppers take \d+ in this dress/);

    const banner = await page.locator('#banner').getAttribute('data-content');
    assert.ok(['dress_edit', 'welcome_back', 'brand_story'].includes(banner), banner);
    const exposures = await page.evaluate(() => window.cabineExposures);
    assert.deepEqual(exposures.map((e) => e.slot), ['home_banner', 'pdp_incentive']);
    assert.equal(exposures[0].content, banner);
    assert.match(exposures[0].visitorId, /^v-[0-9a-f-]{36}$/, 'a first-party visitor id');
    assert.ok(exposures.every((e) => e.renderedAt >= e.decidedAt));

    // Pick the size and add to cart: the event goes into the profile kept on the device.
    await page.click(`label[for="size-${size}"]`);
    assert.equal(await page.textContent('#add-to-cart'), `Add size ${size} to cart`);
    // The sizes are one radio group: arrow keys move the choice.
    await page.focus(`#size-${size}`);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.querySelector('#sizes input:checked')?.value), size);
    await page.click('#add-to-cart');
    await page.locator('#cart-status', { hasText: `Added size ${size}` }).waitFor();
    const profile = JSON.parse(await page.evaluate(() => localStorage.getItem('cabine.demo.profile')));
    assert.equal(profile.counts[3], 1, 'one add_to_cart in the saved profile');

    for (const path of requests) assert.match(path, OWN_ASSETS, path);
    assert.ok(requests.includes('/cabine/cabine-core.wasm') && requests.includes('/models/demo.cabine'));
    const wasmOnMainThread = await page.evaluate(() => window.wasmOnMainThread);
    if (query) assert.equal(wasmOnMainThread, 0, 'the Worker variant never runs the wasm on the main thread');
    else assert.ok(wasmOnMainThread >= 1, 'the main-thread variant does (so the count can tell)');
    if (query) {
      // The Worker variant: the wasm and the model are fetched by the Worker, never by the page.
      const pageResources = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
      assert.ok(!pageResources.includes('/cabine/cabine-core.wasm'), pageResources.join(' '));
      assert.ok(!pageResources.includes('/models/demo.cabine'), pageResources.join(' '));
    }
    await page.screenshot({ path: `${ARTIFACTS}/product${query ? '-worker' : ''}.png`, fullPage: true });
    assertClean(problems);
    await context.close();
  });
}

test('a damaged stored history costs nothing: its bad items are left out', { skip }, async () => {
  const { context, page, problems } = await openPage(demo.browser, demo.origin, { viewport: { width: 1280, height: 900 } });
  await page.goto(new URL('product.html', demo.origin).href);
  await page.evaluate(() => localStorage.setItem('cabine.demo.history', JSON.stringify([
    { productId: 'P00008', size: '40', outcome: 'bogus' }, null, 7, { productId: 'P00008', size: '40', outcome: 'kept' }])));
  await page.reload();
  await page.locator('body[data-ready=true]').waitFor({ timeout: 15_000 });
  assert.match(await page.textContent('#size-hint'), /^We suggest \d+/);
  await page.click('summary');
  assert.match(await page.textContent('#size-why-text'), /^You kept 40 in /);
  assert.deepEqual(problems.consoleErrors, []);
  await context.close();
});

test('without a model the page still sells: no suggestion, a working picker', { skip }, async () => {
  const { context, page } = await openPage(demo.browser, demo.origin, { viewport: { width: 1280, height: 900 } });
  await page.route('**/models/demo.cabine', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(new URL('product.html', demo.origin).href);
  await page.locator('body[data-ready=true]').waitFor({ timeout: 15_000 });
  assert.equal(await page.textContent('#size-hint'), 'Size suggestions are unavailable right now; the size guide lists the measurements.');
  await page.click('label[for="size-38"]');
  await page.click('#add-to-cart');
  assert.equal(await page.textContent('#cart-status'), 'Added size 38 to your cart.');
  await context.close();
});

test('the product page uses the history the QA page keeps on the device', { skip }, async () => {
  const { context, page, problems } = await openPage(demo.browser, demo.origin, { viewport: { width: 1280, height: 900 } });
  await page.goto(new URL('product.html', demo.origin).href);
  await page.evaluate(() => localStorage.setItem('cabine.demo.history', JSON.stringify([
    { productId: 'P00008', size: '40', outcome: 'kept' }, { productId: 'P00015', size: '38', outcome: 'too_small' }])));
  await page.reload();
  await page.locator('body[data-ready=true]').waitFor({ timeout: 15_000 });
  await page.click('summary');
  assert.match(await page.textContent('#size-why-text'), /^You kept 40 in .*; .* in 38 was too small for you; this dress/);
  assert.deepEqual(problems.consoleErrors, []);
  await context.close();
});
