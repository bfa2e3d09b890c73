// The model-export CLI: bundle writes a loadable model, inspect dumps any model
// as JSON, and bad input gets a clear message and a non-zero exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { createCabine } from 'cabine';
import { GOLDEN_V1_0_PATH, ROOT, golden } from './helpers.mjs';

const CLI = `${ROOT}/build/bin/model-export`;
const run = (args, env = {}) => spawnSync(CLI, args, { encoding: 'utf8', env: { ...process.env, ...env } });

async function withTempDir(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-cli-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('inspect prints the golden model as JSON', () => {
  const r = run(['inspect', GOLDEN_V1_0_PATH]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.model_id, 'golden-v1.0');
  assert.equal(json.format_version, '1.0');
  assert.equal(json.created_at, '2026-01-01T00:00:00.000Z');
  assert.equal(json.total_bytes, 149);
  assert.deepEqual(json.sections.map((s) => s.name), ['strings', 'metadata']);
  assert.equal(json.metadata.note, 'Grüße, ✓ UTF-8');
});

test('inspect of a damaged model exits 1 with the error code', () => withTempDir((dir) => {
  const damaged = golden();
  damaged[60] ^= 1;
  writeFileSync(join(dir, 'bad.cabine'), damaged);
  const r = run(['inspect', join(dir, 'bad.cabine')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /MODEL_CHECKSUM_MISMATCH/);
  const missing = run(['inspect', join(dir, 'nope.cabine')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot open .*nope\.cabine/);
}));

test('bundle writes a model that the wasm module loads, with the config fingerprint and SOURCE_DATE_EPOCH', () => withTempDir(async (dir) => {
  const config = join(dir, 'model.json');
  writeFileSync(config, JSON.stringify({ id: 'cli-test', metadata: { a: '1' } }));
  const out = join(dir, 'out.cabine');
  const r = run(['bundle', '--config', config, '--out', out], { SOURCE_DATE_EPOCH: '1700000000' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote .*out\.cabine: model 'cli-test'/);
  const cabine = await createCabine();
  const info = await cabine.loadModel(out);
  assert.equal(info.id, 'cli-test');
  assert.equal(info.createdAtMs, 1_700_000_000_000);
  const inner = createHash('sha256').update(readFileSync(config)).digest();
  assert.equal(info.dataFingerprint, createHash('sha256').update(inner).digest('hex'));
  assert.deepEqual({ ...info.metadata }, { a: '1' });
}));

test('bundle rejects bad configs with a message naming the problem and writes nothing', () => withTempDir((dir) => {
  const out = join(dir, 'out.cabine');
  const cases = [
    ['{ not json', /not valid JSON/],
    ['[]', /must be a JSON object/],
    ['{"metadata": {}}', /'id' must be a string/],
    ['{"id": "x", "colour": 1}', /unknown key 'colour'/],
    ['{"id": "x", "metadata": {"k": 2}}', /metadata\.k must be a string/],
    ['{"id": ""}', /INVALID_ARGUMENT: model_id must be 1\.\.128 bytes/],
  ];
  for (const [text, message] of cases) {
    const config = join(dir, 'c.json');
    writeFileSync(config, text);
    const r = run(['bundle', '--config', config, '--out', out]);
    assert.equal(r.status, 2, text);
    assert.match(r.stderr, message, text);
    assert.ok(!existsSync(out), 'no model written');
  }
  assert.match(run(['bundle', '--out', out]).stderr, /missing required option --config/);
  assert.match(run(['bundle', '--config', 'x', '--bogus', '1']).stderr, /unknown option --bogus/);
  assert.equal(run(['frobnicate']).status, 2);
  assert.match(run(['version']).stdout, /model-export \d+\.\d+\.\d+ \(model format 1\.0\)/);
}));

test('train reports bad rows with file, line and column, counts them, and fails above --max-bad-fraction', () => withTempDir((dir) => {
  const header = 'customer_id,product_id,brand,category,size_system,size,outcome,date\n';
  const good = Array.from({ length: 60 }, (_, i) => `c${i % 20},p${i % 6},Acme,dress,eu,${36 + 2 * (i % 4)},${['kept', 'too_small', 'too_large'][i % 3]},2025-01-01`);
  const bad = ['c1,p1,Acme,dress,eu,38,fits,2025-01-01', 'c2,p1,Acme,dress,eu,37,kept,2025-01-01', 'c3,,Acme,dress,eu,38,kept,2025-01-01'];
  const file = join(dir, 'purchases.csv');
  writeFileSync(file, header + [...good, ...bad].join('\n') + '\n');
  const ok = run(['train', '--purchases', file, '--out', join(dir, 'm.cabine'), '--holdout', '0', '--iterations', '50']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, /purchases\.csv:62: column 'outcome' \(7\): outcome 'fits' is not one of kept, too_small, too_large, returned_other \(row skipped\)/);
  assert.match(ok.stderr, /purchases\.csv:63: column 'size' \(6\): .*37/);
  assert.match(ok.stderr, /purchases\.csv:64: column 'product_id' \(2\): product_id is empty/);
  assert.match(ok.stderr, /purchases\.csv: 3 of 63 rows skipped/);
  assert.match(ok.stdout, /latent-size model iteration/);
  assert.match(ok.stdout, /trained on 60 fit rows .* in [\d.]+ s, peak memory \d+ MB/);
  const strict = run(['train', '--purchases', file, '--out', join(dir, 'strict.cabine'), '--max-bad-fraction', '0.01']);
  assert.equal(strict.status, 2);
  assert.match(strict.stderr, /purchases\.csv: 4\.8% of the rows are bad \(limit 1\.0%, set with --max-bad-fraction\)/);
  assert.ok(!existsSync(join(dir, 'strict.cabine')));
  const missing = run(['train', '--purchases', join(dir, 'nope.csv'), '--out', join(dir, 'x.cabine')]);
  assert.match(missing.stderr, /cannot open .*nope\.csv/);
  writeFileSync(file, 'customer_id,product_id,size\nc,p,M\n');
  assert.match(run(['train', '--purchases', file, '--out', join(dir, 'x.cabine')]).stderr, /the header has no 'outcome' column/);
}));

test('synth writes the log, the catalogue and the truth; inspect shows the fit section', () => withTempDir((dir) => {
  const r = run(['synth', '--customers', '50', '--products', '8', '--out', dir]);
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['purchases.csv', 'catalogue.csv', 'truth_products.csv', 'truth_customers.csv']) assert.ok(existsSync(join(dir, f)), f);
  assert.match(readFileSync(join(dir, 'truth_products.csv'), 'utf8'), /^product_id,brand,category,size_system,true_offset\n/);
  assert.equal(run(['train', '--purchases', join(dir, 'purchases.csv'), '--catalogue', join(dir, 'catalogue.csv'), '--out', join(dir, 'm.cabine'), '--holdout', '0', '--iterations', '50']).status, 0);
  const json = JSON.parse(run(['inspect', join(dir, 'm.cabine')]).stdout);
  assert.equal(json.fit.products.length, 8);
  assert.ok(['runs_small', 'true_to_size', 'runs_large'].includes(json.fit.products[0].flag));
  assert.equal(run(['synth', '--customers', '0', '--out', dir]).status, 2);
}));
