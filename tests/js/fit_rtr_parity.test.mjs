// Acceptance: on 1,000 RentTheRunway queries, the native predict-fit and
// recommendSize in wasm give the same probabilities (within 1e-6). Reads
// ../shared/data/rtr_fit.csv.gz where it is; skipped (with the reason) elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCabine } from 'cabine';
import { RTR_PATH, loadRtr, toCsv, catalogueCsv } from '../../bench/fit_rtr/run.mjs';
import { ROOT } from './helpers.mjs';

const skip = existsSync(RTR_PATH) ? false : `${RTR_PATH} is absent (it is in the workplace's shared/ folder)`;
const CLI = `${ROOT}/build/bin/model-export`;
const PURCHASES = ['customer_id', 'product_id', 'brand', 'category', 'size_system', 'size', 'outcome', 'date', 'height_cm', 'weight_kg', 'age', 'body_type', 'bust'];
const QUERIES = ['customer_id', 'product_id', 'size', 'height_cm', 'weight_kg', 'age', 'body_type', 'bust'];

test('predict-fit (native) and recommendSize (wasm) agree on 1,000 RTR queries', { skip, timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-rtr-parity-'));
  try {
    const rows = loadRtr(45_000);
    const train = rows.slice(0, 40_000);
    const queries = rows.slice(40_000).filter((_, i) => i % 5 === 0).slice(0, 1000);
    writeFileSync(join(dir, 'train.csv'), toCsv(train, PURCHASES));
    writeFileSync(join(dir, 'catalogue.csv'), catalogueCsv(rows));
    writeFileSync(join(dir, 'queries.csv'), toCsv(queries, QUERIES));
    const run = (args) => {
      const r = spawnSync(CLI, args, { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    };
    run(['train', '--purchases', join(dir, 'train.csv'), '--catalogue', join(dir, 'catalogue.csv'), '--out', join(dir, 'rtr.cabine'), '--holdout', '0']);
    run(['predict-fit', '--model', join(dir, 'rtr.cabine'), '--history', join(dir, 'train.csv'), '--queries', join(dir, 'queries.csv'), '--out', join(dir, 'pred.csv')]);
    const [header, ...lines] = readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n');
    const cols = header.split(',');
    const predictions = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
    assert.equal(predictions.length, 1000);

    const cabine = await createCabine();
    await cabine.loadModel(join(dir, 'rtr.cabine'));
    const history = new Map();
    for (const r of train) {
      if (!history.has(r.customer_id)) history.set(r.customer_id, []);
      history.get(r.customer_id).push({ productId: r.product_id, category: r.category, sizeSystem: 'numeric', size: r.size, outcome: r.outcome });
    }
    const num = (v) => (v === '' ? undefined : Number(v));
    let worst = 0, compared = 0;
    queries.forEach((q, i) => {
      const p = predictions[i];
      assert.equal(p.error, '', `query ${i}: ${p.error}`);
      const rec = cabine.recommendSize({
        product: { productId: q.product_id, sizeSystem: 'numeric', sizes: [q.size] },
        history: history.get(q.customer_id) ?? [],
        questionnaire: { heightCm: num(q.height_cm), weightKg: num(q.weight_kg), age: num(q.age), bodyType: q.body_type || undefined, bust: q.bust || undefined },
      });
      const s = rec.sizes.find((x) => x.size === q.size);
      worst = Math.max(worst, Math.abs(s.pSmall - p.p_small), Math.abs(s.pFit - p.p_fit), Math.abs(s.pLarge - p.p_large));
      compared++;
    });
    console.log(`largest native/wasm difference over ${compared} RTR queries: ${worst.toExponential(2)}`);
    assert.equal(compared, 1000);
    assert.ok(worst <= 1e-6, `difference ${worst}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
