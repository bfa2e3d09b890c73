// bench/fit_rtr: the fit model on real data, RentTheRunway (Misra et al., RecSys 2018).
//
// Converts ../shared/data/rtr_fit.csv.gz to the data contract on the fly
// (item -> product with no brand, numeric sizes, fit/small/large ->
// kept/too_small/too_large, inches and pounds -> cm and kg), then for a random
// 80/10/10 split and a temporal split (last 10 % of rows by review_date as
// test) it trains with `model-export train` on the 80 %, predicts the test rows
// with `model-export predict-fit` (each customer's training rows as history),
// and reports mean one-vs-rest AUC beside a per-product smoothed fit-rate
// baseline and Misra et al.'s 0.719. Also: model size, training time, peak memory.
//
//   node bench/fit_rtr/run.mjs [--seed N] [--split random|temporal|both] [--limit ROWS] [--eval test|validation]
//                               [--train-on train|train+validation|both] [--history train+validation]
//
// Model changes are compared with --eval validation (the 10 % between train and test); the test
// figures are for reporting only. --train-on train+validation refits on both before testing (the
// usual last step once choices are made); --train-on train trains on the 80 % alone, as the data README's
// reference figures do; the default reports both. --history train+validation (with --train-on train)
// gives predict-fit the validation rows as shopper history too, without training on them.
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvField as esc, mulberry32, parseCsvLine } from '../../scripts/data.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RTR_PATH = join(ROOT, '..', 'shared', 'data', 'rtr_fit.csv.gz');
const CLI = process.env.CABINE_MODEL_EXPORT ?? join(ROOT, 'build', 'bin', 'model-export');

const inRange = (v, lo, hi) => (Number.isFinite(v) && v >= lo && v <= hi ? v : null);
const round1 = (v) => (v === null ? '' : String(Math.round(v * 10) / 10));

/** RTR rows converted to the data contract, in file order. Out-of-range body values become empty. */
export function loadRtr(limit = Infinity) {
  const lines = gunzipSync(readFileSync(RTR_PATH)).toString('utf8').split(/\r?\n/);
  const header = parseCsvLine(lines[0]);
  const col = Object.fromEntries(header.map((h, i) => [h, i]));
  const outcome = { fit: 'kept', small: 'too_small', large: 'too_large' };
  const rows = [];
  for (let i = 1; i < lines.length && rows.length < limit; i++) {
    if (!lines[i]) continue;
    const f = parseCsvLine(lines[i]);
    const heightIn = parseFloat(f[col.height_in]);
    const weightLbs = parseFloat(f[col.weight_lbs]);
    const age = parseFloat(f[col.age]);
    const band = f[col.bust_size_num];
    const cup = f[col.bust_size_letter];
    rows.push({
      customer_id: f[col.user_id],
      product_id: f[col.item_id],
      brand: '',
      category: f[col.category],
      size_system: 'numeric',
      size: f[col.size],
      outcome: outcome[f[col.fit]],
      date: f[col.review_date],
      height_cm: round1(inRange(heightIn * 2.54, 100, 230)),
      weight_kg: round1(inRange(weightLbs * 0.45359237, 25, 250)),
      age: round1(inRange(age, 12, 100)),
      body_type: f[col.body_type],
      bust: band && inRange(parseFloat(band), 26, 50) !== null ? `${band}${cup}` : '',
      index: rows.length,
    });
  }
  return rows;
}

const PURCHASE_COLUMNS = ['customer_id', 'product_id', 'brand', 'category', 'size_system', 'size', 'outcome', 'date',
  'height_cm', 'weight_kg', 'age', 'body_type', 'bust'];
const QUERY_COLUMNS = ['customer_id', 'product_id', 'size', 'height_cm', 'weight_kg', 'age', 'body_type', 'bust'];

export function toCsv(rows, columns) {
  return `${columns.join(',')}\n${rows.map((r) => columns.map((c) => esc(String(r[c] ?? ''))).join(',')).join('\n')}\n`;
}

/** The catalogue: each item's sizes over all rows (a shop knows what it sells). */
export function catalogueCsv(rows) {
  const sizes = new Map();
  for (const r of rows) {
    if (!sizes.has(r.product_id)) sizes.set(r.product_id, { category: r.category, set: new Set() });
    sizes.get(r.product_id).set.add(Number(r.size));
  }
  const lines = ['product_id,brand,category,size_system,sizes'];
  for (const [id, { category, set }] of sizes) lines.push(`${id},,${esc(category)},numeric,${[...set].sort((a, b) => a - b).join('|')}`);
  return `${lines.join('\n')}\n`;
}

export function splitRandom(rows, seed) {
  const rand = mulberry32(seed);
  const order = rows.map((r) => r.index);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const n = rows.length;
  const pick = (a, b) => order.slice(Math.floor(a * n), Math.floor(b * n)).sort((x, y) => x - y).map((i) => rows[i]);
  return { train: pick(0, 0.8), validation: pick(0.8, 0.9), test: pick(0.9, 1) };
}

export function splitTemporal(rows) {
  const sorted = [...rows].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.index - b.index));
  const n = rows.length;
  return { train: sorted.slice(0, Math.floor(0.8 * n)), validation: sorted.slice(Math.floor(0.8 * n), Math.floor(0.9 * n)), test: sorted.slice(Math.floor(0.9 * n)) };
}

/** First and last date of rows, e.g. "2010-11-03..2017-07-01" (rows without a date are left out). */
export function dateRange(rows) {
  let lo = null, hi = null;
  for (const r of rows) {
    if (!r.date) continue;
    if (lo === null || r.date < lo) lo = r.date;
    if (hi === null || r.date > hi) hi = r.date;
  }
  return lo === null ? 'no dates' : `${lo}..${hi}`;
}

export function auc(scores, positive) {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0, nPos = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (positive[order[k]]) rankSum += avg, nPos++;
    i = j + 1;
  }
  const nNeg = order.length - nPos;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

const CLASSES = ['too_small', 'kept', 'too_large'];

export function meanAuc(probs, outcomes) {
  const per = CLASSES.map((c, k) => auc(probs.map((p) => p[k]), outcomes.map((o) => o === c)));
  return { small: per[0], fit: per[1], large: per[2], mean: (per[0] + per[1] + per[2]) / 3 };
}

/** Per-product smoothed class rates from the training rows (the README's baseline). */
export function baseline(train, test, k = 10) {
  const total = [0, 0, 0];
  const byItem = new Map();
  for (const r of train) {
    const c = CLASSES.indexOf(r.outcome);
    total[c]++;
    if (!byItem.has(r.product_id)) byItem.set(r.product_id, [0, 0, 0]);
    byItem.get(r.product_id)[c]++;
  }
  const n = total[0] + total[1] + total[2];
  const prior = total.map((t) => t / n);
  return test.map((r) => {
    const counts = byItem.get(r.product_id) ?? [0, 0, 0];
    const m = counts[0] + counts[1] + counts[2];
    return counts.map((c, i) => (c + k * prior[i]) / (m + k));
  });
}

function run(args) {
  const r = spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`model-export ${args[0]} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Trains on split.train and predicts split.test with the CLI; returns metrics. */
export function evaluateSplit(name, split, allRows, extraTrainArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), `cabine-rtr-${name}-`));
  try {
    writeFileSync(join(dir, 'train.csv'), toCsv(split.train, PURCHASE_COLUMNS));
    const history = split.history ? join(dir, 'history.csv') : join(dir, 'train.csv');
    if (split.history) writeFileSync(history, toCsv(split.history, PURCHASE_COLUMNS));
    writeFileSync(join(dir, 'catalogue.csv'), catalogueCsv(allRows));
    writeFileSync(join(dir, 'queries.csv'), toCsv(split.test, QUERY_COLUMNS));
    const model = join(dir, 'model.cabine');
    const started = performance.now();
    const trainOut = run(['train', '--purchases', join(dir, 'train.csv'), '--catalogue', join(dir, 'catalogue.csv'),
      '--out', model, '--holdout', '0', '--id', `rtr-${name}`, ...extraTrainArgs]);
    const trainSeconds = (performance.now() - started) / 1000;
    const peak = Number(/peak memory (\d+) MB/.exec(trainOut)?.[1]);
    run(['predict-fit', '--model', model, '--history', history, '--queries', join(dir, 'queries.csv'),
      '--out', join(dir, 'pred.csv')]);
    const lines = readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n').slice(1);
    const probs = lines.map((l) => parseCsvLine(l).slice(3, 6).map(Number));
    const bad = probs.filter((p) => p.some((v) => !Number.isFinite(v))).length;
    const outcomes = split.test.map((r) => r.outcome);
    const bytes = readFileSync(model);
    const products = new Set(allRows.map((r) => r.product_id)).size;  // every product is in the model (catalogue)
    const trainItems = new Set(split.train.map((r) => r.product_id));
    const seen = split.test.map((r) => trainItems.has(r.product_id));
    const subset = (keep) => meanAuc(probs.filter((_, i) => keep[i]), outcomes.filter((_, i) => keep[i])).mean;
    return {
      model: meanAuc(probs, outcomes),
      baseline: meanAuc(baseline(split.train, split.test), outcomes),
      seenItems: subset(seen),
      newItems: seen.some((s) => !s) ? subset(seen.map((s) => !s)) : null,
      newShare: seen.filter((s) => !s).length / seen.length,
      failedPredictions: bad,
      trainSeconds,
      peakMb: peak,
      modelBytes: bytes.length,
      modelGzipBytes: gzipSync(bytes, { level: 9 }).length,
      products,
      trainRows: split.train.length,
      testRows: split.test.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main() {
  const argv = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  if (!existsSync(RTR_PATH)) {
    console.log(`bench/fit_rtr: skipped: ${RTR_PATH} is absent (it is in the workplace's shared/ folder)`);
    return;
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run scripts/build first`);
  const seed = Number(opt('seed', 1));
  const which = opt('split', 'both');
  const evalOn = opt('eval', 'test');
  const trainOn = opt('train-on', 'both');
  if (!['train', 'train+validation', 'both'].includes(trainOn)) throw new Error('--train-on must be train, train+validation or both');
  if (evalOn !== 'test' && evalOn !== 'validation') throw new Error('--eval must be test or validation');
  const historyFrom = opt('history', 'training rows');
  if (!['training rows', 'train+validation'].includes(historyFrom)) throw new Error('--history must be train+validation (default: the rows the model was trained on)');
  if (historyFrom === 'train+validation' && (evalOn !== 'test' || trainOn !== 'train')) throw new Error('--history train+validation needs --train-on train and --eval test');
  const rows = loadRtr(Number(opt('limit', Infinity)));
  console.log(`RTR: ${rows.length} rows from ${RTR_PATH} (${(statSync(RTR_PATH).size / 1e6).toFixed(1)} MB gz)`);
  const f = (v) => (v === null ? '   -  ' : v.toFixed(4));
  const report = [];
  const protocols = evalOn === 'validation' ? ['train'] : trainOn === 'both' ? ['train', 'train+validation'] : [trainOn];
  for (const [name, split] of [['random', () => splitRandom(rows, seed)], ['temporal', () => splitTemporal(rows)]]) {
    if (which !== 'both' && which !== name) continue;
    for (const protocol of protocols) {
      const chosen = split();
      if (evalOn === 'validation') chosen.test = chosen.validation;
      else if (protocol === 'train+validation') chosen.train = [...chosen.train, ...chosen.validation];
      if (historyFrom === 'train+validation') chosen.history = [...chosen.train, ...chosen.validation];
      const r = evaluateSplit(name, chosen, rows);
      report.push([name, protocol, r]);
      const trainedOn = protocol === 'train' ? 'the 80 % train rows' : 'train + validation (90 %)';
      console.log(`\n${name} split${name === 'random' ? ` (seed ${seed})` : ''}, trained on ${trainedOn} (${r.trainRows} rows), ${evalOn} ${r.testRows} rows:`);
      if (chosen.history) console.log(`  shopper history: train + validation rows (${chosen.history.length})`);
      console.log(`  dates: trained on ${dateRange(chosen.train)}, ${evalOn} rows ${dateRange(chosen.test)}`);
      console.log(`  Cabine fit model     mean AUC ${f(r.model.mean)}  (small ${f(r.model.small)}, fit ${f(r.model.fit)}, large ${f(r.model.large)})`);
      console.log(`  per-product baseline mean AUC ${f(r.baseline.mean)}  (small ${f(r.baseline.small)}, fit ${f(r.baseline.fit)}, large ${f(r.baseline.large)})`);
      console.log('  Misra et al. 2018    mean AUC 0.719 (their best, K-LF-ML; their own split)');
      console.log(`  ${evalOn} rows on products seen in training: ${f(r.seenItems)}; on new products (${(100 * r.newShare).toFixed(1)} %): ${f(r.newItems)}`);
      console.log(`  model ${r.modelBytes} B, gzip -9 ${r.modelGzipBytes} B for ${r.products} products = ${(r.modelGzipBytes / r.products).toFixed(2)} B/product; training ${r.trainSeconds.toFixed(1)} s, peak ${r.peakMb} MB`);
      if (r.failedPredictions) console.log(`  ${r.failedPredictions} predictions failed`);
    }
  }
  return report;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
