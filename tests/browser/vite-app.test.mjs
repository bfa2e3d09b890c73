// A real consumer: examples/vite-app installs the packed cabine tarball, Vite 7
// bundles it, and the built page, served under the strict CSP, suggests a size
// in Chromium. The README's "Use it in your product page" lines are the app's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../scripts/serve.mjs';
import { ARTIFACTS, assertClean, chromiumMissing, ensureDemoModel, launch, openPage } from './browser.mjs';
import { ROOT } from '../js/helpers.mjs';

const EXAMPLE = join(ROOT, 'examples', 'vite-app');
const skip = chromiumMissing();
let work;

/** The lines between the markers of examples/vite-app/src/main.js. */
function copiedLines(text) {
  const lines = text.split('\n');
  const begin = lines.findIndex((l) => l.includes('--- begin: the lines to copy ---'));
  const end = lines.findIndex((l) => l.includes('--- end: the lines to copy ---'));
  return lines.slice(begin + 1, end).join('\n');
}

test('the README shows the lines examples/vite-app runs', () => {
  const lines = copiedLines(readFileSync(join(EXAMPLE, 'src', 'main.js'), 'utf8'));
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it in your product page'));
  const [, block] = section.match(/```js\n([\s\S]*?)```/) ?? [];
  assert.equal(block?.trimEnd(), lines.trimEnd());
  assert.equal(lines.trimEnd().split('\n').length, 10, 'short enough to copy: 10 lines');
});

before(() => {
  work = mkdtempSync(join(tmpdir(), 'cabine-vite-'));
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('examples/vite-app: the packed tarball, bundled by Vite 7, suggests a size in Chromium', { skip, timeout: 600_000 }, async () => {
  ensureDemoModel();
  // The package as a shop gets it: npm pack of the dist/ scripts/build wrote (tests/js/pack.test.mjs runs
  // prepack; here it would rebuild dist/ under the other browser tests' feet), then an install of the tarball.
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  const app = join(work, 'app');
  cpSync(EXAMPLE, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
  const npm = (...args) => execFileSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] });
  npm('ci');
  npm('install', '--no-save', join(work, filename));
  cpSync(join(ROOT, 'build', 'demo', 'demo.cabine'), join(app, 'public', 'models', 'shop.cabine'));
  const built = execFileSync(join(app, 'node_modules', '.bin', 'vite'), ['build'], { cwd: app, encoding: 'utf8' });
  assert.match(built, /built in/);
  const assets = readdirSync(join(app, 'dist', 'assets'));
  assert.ok(assets.some((f) => /^cabine-core-.*\.wasm$/.test(f)), `Vite emitted the wasm: ${assets.join(' ')}`);

  const { server, url: origin } = await startServer({ port: 0, mounts: [['/', join(app, 'dist')]] });
  const browser = await launch();
  try {
    const { page, problems } = await openPage(browser, origin, { viewport: { width: 800, height: 600 } });
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    const response = await page.goto(origin);
    assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
    await page.locator('body[data-ready=true]').waitFor({ timeout: 15_000 });
    assert.match(await page.textContent('#size-hint'), /^We suggest [A-Z0-9]+\. Most shoppers take /);
    await page.screenshot({ path: `${ARTIFACTS}/vite-app.png` });
    for (const path of requests) assert.match(path, /^\/(|assets\/index-[\w-]+\.js|assets\/cabine-core-[\w-]+\.wasm|models\/shop\.cabine)$/, path);
    assertClean(problems);
  } finally {
    await browser.close();
    server.close();
  }
});
