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

test('inspect prints every section of the demo model: fit, audiences, learned models and decisions', () => {
  const r = run(['inspect', `${ROOT}/build/demo/demo.cabine`]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.deepEqual(json.sections.map((s) => s.name), ['strings', 'metadata', 'fit', 'audiences', 'learned', 'decisions']);
  assert.equal(json.fit.products.length, 120);
  assert.deepEqual(json.audiences.audiences.map((a) => a.id).slice(0, 2), ['new_visitor', 'dress_lover']);
  assert.deepEqual(json.learned.uplift.map((u) => u.name), ['email']);
  assert.deepEqual(json.learned.propensity.map((p) => p.name), ['purchase']);
  assert.ok(json.learned.segments.centroids.length >= 2);
  assert.deepEqual(json.decisions.slots.map((slot) => slot.id), ['home_banner', 'pdp_incentive']);
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

test('bundle writes rule audiences into the model; inspect shows them; the browser matches them', () => withTempDir(async (dir) => {
  const spec = {
    audiences: [
      { id: 'fr', description: 'In France', growthbook: { country: 'FR' } },
      { id: 'buyers', jsonlogic: { '>': [{ var: 'features.purchases' }, 0] } },
    ],
  };
  writeFileSync(join(dir, 'audiences.json'), JSON.stringify(spec));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ id: 'rules-only', audiences: 'audiences.json' }));
  const r = run(['bundle', '--config', join(dir, 'config.json'), '--out', join(dir, 'm.cabine')]);
  assert.equal(r.status, 0, r.stderr);
  const inspected = JSON.parse(run(['inspect', join(dir, 'm.cabine')]).stdout);
  assert.deepEqual(inspected.sections.map((s) => [s.name, s.required]), [['strings', true], ['audiences', false]]);
  assert.deepEqual(inspected.audiences, spec);
  const cabine = await createCabine();
  await cabine.loadModel(join(dir, 'm.cabine'));
  cabine.setAttributes({ country: 'FR' });
  assert.deepEqual(cabine.matchAudiences().map((a) => [a.id, a.matched]), [['fr', true], ['buyers', false]]);
}));

test('a bad rule is reported with its audience id and path, and nothing is written', () => withTempDir((dir) => {
  const cases = [
    [{ audiences: [{ id: 'ok', jsonlogic: true }, { id: 'vip', growthbook: { 'features.frequency': { $gtx: 3 } } }] },
      'INVALID_RULE: audiences: audience "vip": unknown operator "$gtx" at /features.frequency (rule at /audiences/1/growthbook)'],
    [{ audiences: [{ id: 'deep', jsonlogic: { and: [{ frobnicate: [1] }] } }] },
      'INVALID_RULE: audiences: audience "deep": unknown operator "frobnicate" at /and/0 (rule at /audiences/0/jsonlogic)'],
    [{ audiences: [{ id: 'twice', jsonlogic: true }, { id: 'twice', jsonlogic: false }] }, 'audience "twice": the id is used twice'],
    [{ audiences: [{ id: 'both', jsonlogic: true, growthbook: {} }] }, 'audience "both": give exactly one of "jsonlogic" and "growthbook"'],
    [{ profile: { half_life_days: -1 }, audiences: [] }, 'profile.half_life_days must be a number of days in (0, 3650]'],
  ];
  for (const [spec, message] of cases) {
    writeFileSync(join(dir, 'a.json'), JSON.stringify(spec));
    const r = run(['train', '--purchases', join(dir, 'missing.csv'), '--audiences', join(dir, 'a.json'), '--out', join(dir, 'm.cabine')]);
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes(message), r.stderr);
    assert.ok(r.stderr.includes(`${join(dir, 'a.json')}: `), 'the file is named');
    assert.equal(existsSync(join(dir, 'm.cabine')), false);
  }
}));

test('features replays an event log; bad lines are named, too many fail the run', () => withTempDir((dir) => {
  const lines = [
    { customerId: 'a', type: 'purchase', time: 1767225600000, category: 'dress', price: 20 },
    { customerId: 'a', type: 'view', time: 1767225601000, category: 'dress' },
    { customerId: 'b', type: 'view', time: 1767225602000 },
  ].map((e) => JSON.stringify(e));
  writeFileSync(join(dir, 'ok.jsonl'), `${lines.join('\n')}\n`);
  let r = run(['features', '--events', join(dir, 'ok.jsonl'), '--format', 'csv', '--at', '2026-01-02', '--out', join(dir, 'f.csv')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /replayed 3 events for 2 customers .* features at 2026-01-02T00:00:00.000Z/);
  const [header, rowA] = readFileSync(join(dir, 'f.csv'), 'utf8').trim().split('\n');
  assert.ok(header.startsWith('customer_id,features.recency_days,features.frequency,features.monetary,'), header);
  assert.ok(rowA.startsWith('a,1,1,20,'), rowA);
  writeFileSync(join(dir, 'bad.jsonl'), `${lines[0]}\n{"customerId":"c","type":"buy","time":1}\nnot json\n`);
  r = run(['features', '--events', join(dir, 'bad.jsonl'), '--out', join(dir, 'f.jsonl')]);
  assert.equal(r.status, 2);
  assert.ok(r.stderr.includes(`bad.jsonl:2: event: type must be one of`), r.stderr);
  assert.ok(r.stderr.includes(`bad.jsonl:3: event is not valid JSON: line 1, column 1`), r.stderr);
  assert.match(r.stderr, /2 of 3 lines are bad, more than --max-bad-fraction/);
}));
