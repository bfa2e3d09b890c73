// Fit in the wasm module: recommendSize on a model trained by model-export
// from synthetic data, its errors, and parity with the native predict-fit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCabine, CabineError } from 'cabine';
import { GOLDEN_V1_0_PATH, ROOT } from './helpers.mjs';

const CLI = `${ROOT}/build/bin/model-export`;
let dir;
let cabine;

function cli(args) {
  const r = spawnSync(CLI, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `model-export ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function readCsv(path) {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cabine-fit-'));
  cli(['synth', '--customers', '600', '--products', '30', '--seed', '3', '--out', dir]);
  cli(['train', '--purchases', join(dir, 'purchases.csv'), '--catalogue', join(dir, 'catalogue.csv'), '--out', join(dir, 'fit.cabine'), '--holdout', '0', '--iterations', '150']);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function rejects(fn, code, message) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof CabineError, String(err));
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test('recommendSize needs a model with a fit section', async () => {
  cabine = await createCabine();
  rejects(() => cabine.recommendSize({ productId: 'P00001' }), 'NO_MODEL', /^no model is loaded; call loadModel first$/);
  await cabine.loadModel(GOLDEN_V1_0_PATH);
  rejects(() => cabine.recommendSize({ productId: 'P00001' }), 'NO_FIT_MODEL', /^the model 'golden-v1\.0' has no fit section$/);
  const info = await cabine.loadModel(join(dir, 'fit.cabine'));
  assert.ok(info.sections.some((s) => s.name === 'fit' && s.required));
});

test('a recommendation has a size, probabilities for every size, a confidence and a reason', () => {
  const catalogue = readCsv(join(dir, 'catalogue.csv'));
  const product = catalogue.find((p) => p.size_system === 'eu');
  const other = catalogue.find((p) => p.size_system === 'eu' && p.product_id !== product.product_id);
  const rec = cabine.recommendSize({
    productId: product.product_id,
    history: [
      { productId: other.product_id, size: '40', outcome: 'kept', name: 'Acme Jeans' },
      { productId: other.product_id, size: '44', outcome: 'too_large' },
      { productId: other.product_id, size: '42', outcome: 'returned_other' },
    ],
    questionnaire: { heightCm: 168, weightKg: 66, age: 35, bodyType: 'Hourglass' },
  });
  assert.deepEqual(rec.sizes.map((s) => s.size), product.sizes.split('|'));
  for (const s of rec.sizes) assert.ok(Math.abs(s.pSmall + s.pFit + s.pLarge - 1) < 1e-9);
  assert.ok(rec.sizes.map((s) => s.size).includes(rec.size));
  assert.ok(rec.confidence > 0 && rec.confidence <= 1);
  assert.equal(rec.reason.code, 'FROM_HISTORY');
  assert.match(rec.reason.text, /^You kept 40 in Acme Jeans; .* in 44 was too large for you; this \w+ (runs small|runs large|is true to size), so \d+\.$/);
  assert.deepEqual([...rec.itemsUsed], [0, 1]);
  assert.deepEqual([...rec.notes], ['history[2] ignored: returned for a reason other than fit']);
  assert.equal(rec.source, 'product');
  assert.ok(['runs_small', 'true_to_size', 'runs_large'].includes(rec.flag));
  assert.ok(Object.isFrozen(rec) && Object.isFrozen(rec.sizes[0]));
});

test('unknown products fall back and say so; low confidence gives no size', () => {
  const rec = cabine.recommendSize({ product: { productId: 'NEW', category: 'dress', sizeSystem: 'eu', sizes: ['36', '38', '40'] } });
  assert.equal(rec.source, 'category');
  assert.match(rec.reason.text, /new to the model, so its category decides how it runs/);
  const branded = cabine.recommendSize({ product: { productId: 'NEW', brand: readCsv(join(dir, 'catalogue.csv'))[0].brand, category: 'dress', sizeSystem: 'eu', sizes: ['36', '38', '40'] } });
  assert.equal(branded.source, 'brand');
  assert.match(branded.reason.text, /new to the model, so its brand decides how it runs\.$/);
  const low = cabine.recommendSize({ productId: 'P00001', minConfidence: 0.999 });
  assert.equal(low.size, null);
  assert.equal(low.reason.code, 'LOW_CONFIDENCE');
});

test('bad requests are INVALID_ARGUMENT errors naming the field', () => {
  const cases = [
    [{ productId: 'P00001', questionnaire: { heightCm: NaN } }, /^questionnaire: heightCm must be a finite number$/],
    [{ productId: 'P00001', questionnaire: { weightKg: -60 } }, /^questionnaire: weightKg -60 is outside 25\.\.250 kg$/],
    [{ productId: 'P00001', questionnaire: { heightCm: 900 } }, /^questionnaire: heightCm 900 is outside 100\.\.230 cm$/],
    [{ productId: 'P00001', questionnaire: { weightKg: Infinity } }, /^questionnaire: weightKg must be a finite number$/],
    [{ productId: 'P00001', questionnaire: { age: -5 } }, /^questionnaire: age -5 is outside 12\.\.100 years$/],
    [{ productId: 'P00001', questionnaire: { age: NaN } }, /^questionnaire: age must be a finite number$/],
    [{ productId: 'P00001', questionnaire: { bust: '99c' } }, /^questionnaire: bust band 99 is outside 26\.\.50 inches$/],
    [{ productId: 'P00001', minConfidence: -0.1 }, /^minConfidence must be a number from 0 to 1$/],
    [{ productId: 'P00001', minConfidence: NaN }, /^minConfidence must be a number from 0 to 1$/],
    [{ productId: 'P00001', minConfidence: '0.5' }, /^minConfidence must be a number, got string$/],
    [{ productId: 'P00001', questionnaire: { age: '30' } }, /^questionnaire\.age must be a number, got string$/],
    [{ productId: 'P00001', questionnaire: { bust: '34z' } }, /^questionnaire: bust cup 'z' is not a cup size \(aa, a\.\.k, dd, ddd\)$/],
    [{ productId: 'nope' }, /^product 'nope' is not in the model; pass its sizes/],
    [{ productId: 'P00001', product: { productId: 'P00001' } }, /exactly one of productId or product/],
    [{}, /exactly one of productId or product/],
    [{ productId: 'P00001', history: 'x' }, /^history must be an array, got string$/],
    [{ productId: 'P00001', history: [{ productId: 'P00002', size: '38', outcome: 'fine' }] }, /^history\[0\]\.outcome must be one of kept, too_small, too_large, returned_other, got "fine"$/],
    [{ productId: 'P00001', history: [{ productId: 'P00002', outcome: 'kept' }] }, /^history\[0\]\.size is required$/],
    [{ productId: 'P00001', minConfidence: 2 }, /^minConfidence must be a number from 0 to 1$/],
    [{ product: { productId: 'X', sizes: [36] } }, /^product\.sizes\[0\] must be a string, got number$/],
    [null, /expects a request object/],
  ];
  for (const [request, message] of cases) rejects(() => cabine.recommendSize(request), 'INVALID_ARGUMENT', message);
  // The model stays usable after every error.
  assert.ok(cabine.recommendSize({ productId: 'P00001' }).size);
});

test('a 10,000-row history gets an answer', () => {
  const history = Array.from({ length: 10000 }, (_, i) => ({ productId: `P0000${1 + (i % 9)}`, size: ['M', '38', '40'][i % 3], outcome: ['kept', 'too_small', 'too_large'][i % 3] }));
  const rec = cabine.recommendSize({ productId: 'P00001', history });
  assert.ok(rec.size);
  assert.ok(rec.itemsUsed.length > 1000);
});

// Acceptance: the native predict-fit and recommendSize in wasm agree within 1e-6.
test('native predict-fit and wasm recommendSize give the same probabilities', () => {
  const purchases = readCsv(join(dir, 'purchases.csv'));
  const queries = purchases.filter((_, i) => i % 7 === 0).slice(0, 300);
  writeFileSync(join(dir, 'queries.csv'), `customer_id,product_id,size,height_cm,weight_kg,age\n${queries.map((q) => `${q.customer_id},${q.product_id},${q.size},${q.height_cm},${q.weight_kg},${q.age}`).join('\n')}\n`);
  cli(['predict-fit', '--model', join(dir, 'fit.cabine'), '--history', join(dir, 'purchases.csv'), '--queries', join(dir, 'queries.csv'), '--out', join(dir, 'pred.csv')]);
  const predictions = readCsv(join(dir, 'pred.csv'));
  assert.equal(predictions.length, queries.length);
  const byCustomer = new Map();
  for (const p of purchases) byCustomer.set(p.customer_id, [...(byCustomer.get(p.customer_id) ?? []), p]);
  let worst = 0;
  queries.forEach((q, i) => {
    const history = byCustomer.get(q.customer_id).map((p) => ({ productId: p.product_id, size: p.size, outcome: p.outcome }));
    const rec = cabine.recommendSize({ productId: q.product_id, history, questionnaire: { heightCm: Number(q.height_cm), weightKg: Number(q.weight_kg), age: Number(q.age) } });
    const s = rec.sizes.find((x) => x.size === q.size);
    const p = predictions[i];
    worst = Math.max(worst, Math.abs(s.pSmall - p.p_small), Math.abs(s.pFit - p.p_fit), Math.abs(s.pLarge - p.p_large));
    assert.equal(rec.size, p.recommended_size, `query ${i}`);
  });
  console.log(`largest native/wasm probability difference over ${queries.length} queries: ${worst.toExponential(2)}`);
  assert.ok(worst <= 1e-6, `difference ${worst}`);
});

test('predict-fit answers a product new to the model from the query\'s catalogue columns, as recommendSize does', () => {
  const purchases = readCsv(join(dir, 'purchases.csv'));
  const brand = readCsv(join(dir, 'catalogue.csv'))[0].brand;
  const customers = [...new Set(purchases.map((p) => p.customer_id))].slice(0, 20);
  const sizes = ['34', '36', '38', '40', '42'];
  writeFileSync(join(dir, 'new.csv'), `customer_id,product_id,size,brand,category,size_system,sizes\n${customers.map((c, i) => `${c},NEW,${sizes[i % 5]},${brand},dress,eu,${sizes.join('|')}`).join('\n')}\n`);
  cli(['predict-fit', '--model', join(dir, 'fit.cabine'), '--history', join(dir, 'purchases.csv'), '--queries', join(dir, 'new.csv'), '--out', join(dir, 'new-pred.csv')]);
  const predictions = readCsv(join(dir, 'new-pred.csv'));
  assert.equal(predictions.length, customers.length);
  customers.forEach((c, i) => {
    const history = purchases.filter((p) => p.customer_id === c).map((p) => ({ productId: p.product_id, size: p.size, outcome: p.outcome }));
    const rec = cabine.recommendSize({ product: { productId: 'NEW', brand, category: 'dress', sizeSystem: 'eu', sizes }, history });
    assert.equal(rec.source, 'brand');
    const s = rec.sizes.find((x) => x.size === sizes[i % 5]);
    const p = predictions[i];
    assert.equal(p.error, '', p.error);
    for (const [a, b] of [[s.pSmall, p.p_small], [s.pFit, p.p_fit], [s.pLarge, p.p_large]]) assert.ok(Math.abs(a - Number(b)) <= 1e-6, `${c}: ${a} vs ${b}`);
    assert.equal(rec.size, p.recommended_size, c);
  });
});
