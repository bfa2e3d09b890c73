// `npm pack` makes a package that an empty folder installs from the tarball
// and imports in node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN_V1_0_PATH, ROOT } from './helpers.mjs';

test('the packed tarball installs into an empty folder and imports', { timeout: 300_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'cabine-pack-'));
  try {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    const files = packed[0].files.map((f) => f.path).sort();
    assert.deepEqual(files, ['README.md', 'dist/cabine-core.js', 'dist/cabine-core.wasm', 'dist/cabine.d.ts', 'dist/cabine.js',
    'dist/cabine.js.map', 'dist/node.js', 'package.json'].sort());
    const app = join(work, 'app');
    execFileSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', join(work, packed[0].filename)], { cwd: app, stdio: 'inherit' });
    writeFileSync(join(app, 'main.js'), `
      import { createCabine, CabineError } from 'cabine';
      const cabine = await createCabine();
      const info = await cabine.loadModel(${JSON.stringify(GOLDEN_V1_0_PATH)});
      let code;
      try { await cabine.loadModel(new Uint8Array([1])); } catch (e) { code = e instanceof CabineError && e.code; }
      console.log(JSON.stringify({ id: info.id, code, still: cabine.modelInfo.id }));
    `);
    const out = JSON.parse(execFileSync('node', ['main.js'], { cwd: app, encoding: 'utf8' }));
    assert.deepEqual(out, { id: 'golden-v1.0', code: 'MODEL_BAD_MAGIC', still: 'golden-v1.0' });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
