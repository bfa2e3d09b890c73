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

test('train names bad catalogue rows and usage errors exactly', () => withTempDir((dir) => {
  const purchases = join(dir, 'purchases.csv');
  writeFileSync(purchases, 'customer_id,product_id,brand,category,size_system,size,outcome,date\n' +
    Array.from({ length: 40 }, (_, i) => `c${i % 10},p${i % 4},Acme,dress,eu,${36 + 2 * (i % 3)},${['kept', 'too_small', 'too_large'][i % 3]},2025-01-01`).join('\n') + '\n');
  const catalogue = join(dir, 'catalogue.csv');
  writeFileSync(catalogue, 'product_id,brand,category,size_system,sizes\n' +
    Array.from({ length: 4 }, (_, i) => `p${i},Acme,dress,eu,34|36|38|40|42`).join('\n') + '\np9,Acme,dress,inches,30|32\np8,Acme,dress,eu,36||40\n');
  const args = ['train', '--purchases', purchases, '--catalogue', catalogue, '--out', join(dir, 'm.cabine'), '--holdout', '0', '--iterations', '30'];
  const strict = run(args);
  assert.equal(strict.status, 2);
  assert.match(strict.stderr, /catalogue\.csv:6: column 'size_system' \(4\): unknown size system 'inches'.* \(row skipped\)/);
  assert.match(strict.stderr, /catalogue\.csv:7: column 'sizes' \(5\): sizes '36\|\|40' has an empty label \(labels are joined by \|\) \(row skipped\)/);
  assert.match(strict.stderr, /catalogue\.csv: 2 of 6 rows skipped/);
  assert.match(strict.stderr, /model-export train: .*catalogue\.csv: 33\.3% of the rows are bad \(limit 5\.0%, set with --max-bad-fraction\)/);
  assert.ok(!existsSync(join(dir, 'm.cabine')));
  const lenient = run([...args, '--max-bad-fraction', '0.5']);
  assert.equal(lenient.status, 0, lenient.stderr);
  assert.match(lenient.stdout, /catalogue\.csv: 4 products/);
  // Past the first 10 bad rows, a count; a product listed twice is a bad row.
  writeFileSync(catalogue, 'product_id,brand,category,size_system,sizes\n' +
    Array.from({ length: 4 }, (_, i) => `p${i},Acme,dress,eu,34|36|38|40|42`).join('\n') + '\n' + Array.from({ length: 12 }, () => 'p0,Acme,dress,eu,36|38').join('\n') + '\n');
  const many = run([...args, '--max-bad-fraction', '1']);
  assert.equal(many.status, 0, many.stderr);
  assert.match(many.stderr, /^warning: .*catalogue\.csv:6: column 'product_id' \(1\): product_id 'p0' is listed again \(first on line 2\) \(row skipped\)$/m);
  assert.equal(many.stderr.match(/is listed again/g).length, 10);
  assert.match(many.stderr, /^warning: \.\.\. and 2 more bad rows$/m);
  assert.match(many.stderr, /catalogue\.csv: 12 of 16 rows skipped/);

  const usage = [
    [['train', '--out', join(dir, 'x.cabine')], /^model-export train: missing required option --purchases/m],
    [['train', '--purchases', purchases], /^model-export train: missing required option --out/m],
    [['train', '--purchases', purchases, '--out', join(dir, 'x.cabine'), '--holdout', '2'], /--holdout must be a number from 0 to 1/],
    [['train', '--purchases', join(dir, 'nope.csv'), '--out', join(dir, 'x.cabine')], /cannot open '.*nope\.csv'/],
    [['synth', '--customers', '0', '--out', dir], /^model-export synth: --customers must be a whole number from 1 to 10000000/m],
    [['synth', '--customers', '10'], /^model-export synth: missing required option --out/m],
    [['predict-fit', '--model', join(dir, 'x.cabine'), '--history', purchases, '--queries', purchases], /^model-export predict-fit: missing required option --out/m],
  ];
  for (const [argv, message] of usage) {
    const r = run(argv);
    assert.equal(r.status, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, argv.join(' '));
  }
}));

test('predict-fit answers every query in order, names each bad one by line and column, and fails above --max-bad-fraction', () => withTempDir((dir) => {
  assert.equal(run(['synth', '--customers', '200', '--products', '20', '--out', dir]).status, 0);
  const purchases = join(dir, 'purchases.csv'), model = join(dir, 'm.cabine');
  assert.equal(run(['train', '--purchases', purchases, '--catalogue', join(dir, 'catalogue.csv'), '--out', model, '--holdout', '0', '--iterations', '50']).status, 0);
  const [first] = readFileSync(purchases, 'utf8').split('\n').slice(1).map((l) => l.split(','));
  const [customer, product, , , system, size] = first;
  const other = system === 'letter' ? ['38', 'eu', '34|36|38|40'] : ['M', 'letter', 'S|M|L'];
  const queries = join(dir, 'queries.csv'), out = join(dir, 'pred.csv');
  const header = 'customer_id,product_id,size,height_cm,weight_kg,age,body_type,bust,brand,category,size_system,sizes';
  const rows = [
    `${customer},${product},${size},,,,,,,,,`,              // 2: fine
    `${customer},${product},banana,,,,,,,,,`,               // 3: a size that does not parse
    `${customer},NOPE,${size},,,,,,,,,`,                    // 4: unknown product without sizes
    `${customer},,${size},,,,,,,,,`,                        // 5: empty product_id
    `${customer},${product},,,,,,,,,,`,                     // 6: empty size
    `${customer},${product},${size},3000,,,,,,,,`,          // 7: absurd height
    `${customer},${product},${size},,abc,,,,,,,`,           // 8: weight not a number
    `${customer},${product},${size},,,,,12c,,,,`,           // 9: absurd bust band
    `${customer},${product},${size}`,                       // 10: short row
    `${customer},NEW,${other[0]},,,,,,Acme,dress,${other[1]},${other[2]}`, // 11: a new product with its sizes
    `${customer},NEW,${other[0]},,,,,,,,,S||M`,             // 12: an empty label in sizes
    `unknown-shopper,${product},${size},170,65,,,,,,,`,      // 13: no history: the questionnaire
  ];
  writeFileSync(queries, `${header}\n${rows.join('\n')}\n`);
  const r = run(['predict-fit', '--model', model, '--history', purchases, '--queries', queries, '--out', out]);
  assert.equal(r.status, 2, r.stderr);
  const expected = [
    [3, "column 'size' \\(3\\): \\w+ size 'banana' is not"],
    [4, "column 'product_id' \\(2\\): product 'NOPE' is not in the model; give its sizes \\(and brand, category, size_system\\) in the query's 'sizes', 'brand', 'category' and 'size_system' columns"],
    [5, "column 'product_id' \\(2\\): product_id is empty"],
    [6, "column 'size' \\(3\\): size is empty"],
    [7, "column 'height_cm' \\(4\\): height_cm 3000 is outside 100\\.\\.230 cm"],
    [8, "column 'weight_kg' \\(5\\): weight_kg 'abc' is not a number"],
    [9, "column 'bust' \\(8\\): bust band 12 is outside 26\\.\\.50 inches"],
    [10, 'expected 12 fields, found 3'],
    [12, "column 'sizes' \\(12\\): sizes 'S\\|\\|M' has an empty label \\(labels are joined by \\|\\)"],
  ];
  for (const [line, message] of expected) assert.match(r.stderr, new RegExp(`^warning: .*queries\\.csv:${line}: ${message}.* \\(no prediction\\)$`, 'm'), `line ${line}`);
  assert.match(r.stderr, /^model-export predict-fit: .*queries\.csv: 9 of 12 queries \(75\.0%\) have an error \(limit 5\.0%, set with --max-bad-fraction\); .*pred\.csv has them all, each with its error$/m);
  // Nothing is lost: one output line per query, in order, the failed ones with their error.
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'customer_id,product_id,size,p_small,p_fit,p_large,recommended_size,error');
  assert.equal(lines.length, rows.length + 1);
  const good = [2, 11, 13];
  lines.slice(1).forEach((l, i) => {
    const fields = l.split(',');
    if (good.includes(i + 2)) {
      const p = fields.slice(3, 6).map(Number);
      assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-6 && fields[6] !== '', `line ${i + 2}: ${l}`);
      assert.equal(fields.at(-1), '', `line ${i + 2}`);
    } else {
      assert.equal(fields[3], '', `line ${i + 2}: ${l}`);
    }
  });
  assert.match(lines[2], /is not a plain decimal number|is not a letter size|is not/);
  // The same file with a lenient limit succeeds.
  assert.equal(run(['predict-fit', '--model', model, '--history', purchases, '--queries', queries, '--out', out, '--max-bad-fraction', '0.8']).status, 0);
  // A query file without a required column, a model without a fit section.
  writeFileSync(queries, 'customer_id,size\nc,M\n');
  const noColumn = run(['predict-fit', '--model', model, '--history', purchases, '--queries', queries, '--out', out]);
  assert.equal(noColumn.status, 2);
  assert.match(noColumn.stderr, /queries\.csv:1: the header has no 'product_id' column/);
  const noFit = run(['predict-fit', '--model', GOLDEN_V1_0_PATH, '--history', purchases, '--queries', queries, '--out', out]);
  assert.equal(noFit.status, 1);
  assert.match(noFit.stderr, /has no fit section/);
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
