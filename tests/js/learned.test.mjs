// Learned models end to end: trained by model-export, bundled with audiences
// and decisions, then scored natively (`model-export score`) and in the wasm
// module (scores / matchAudiences / decide); and the event-log path, where
// `model-export features` computes training features with the browser's own
// profile code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCabine, CabineError } from 'cabine';
import { ROOT } from './helpers.mjs';
import { mulberry32 as random, parseCsvLine } from '../../scripts/data.mjs';

const CLI = `${ROOT}/build/bin/model-export`;
const NOW = Date.UTC(2026, 11, 1);
const DAY = 86400000;
let dir;

function run(args) {
  const r = spawnSync(CLI, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `model-export ${args.join(' ')}\n${r.stdout}${r.stderr}`);
  return r;
}

/** Hillstrom-shaped rows with a known treatment effect that grows with `womens` and shrinks with recency. */
function campaignCsv(rows, seed) {
  const rnd = random(seed);
  const lines = ['id,recency,history,womens,zip_code,channel,arm,visit'];
  for (let i = 0; i < rows; i++) {
    const recency = 1 + Math.floor(rnd() * 12);
    const history = Math.round(rnd() * rnd() * 200000) / 100;
    const womens = rnd() < 0.5 ? 1 : 0;
    const zip = ['Urban', 'Surburban', 'Rural'][Math.floor(rnd() * 3)];
    const channel = ['Web', 'Phone', 'Multichannel'][Math.floor(rnd() * 3)];
    const treated = rnd() < 0.5;
    const base = 0.08 + 0.0004 * Math.min(history, 500) / 5 - 0.004 * recency;
    const effect = treated ? 0.02 + 0.08 * womens - 0.004 * recency : 0;
    const visit = rnd() < base + effect ? 1 : 0;
    lines.push(`v${i},${recency},${history},${womens},${zip},${channel},${treated ? 'mail' : 'none'},${visit}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The CSV cells as the page would pass them to setAttributes: numbers as numbers, "" as null. */
function rowsOf(text) {
  const [head, ...lines] = text.trim().split('\n');
  const names = parseCsvLine(head);
  return lines.map((line) => {
    const cells = parseCsvLine(line);
    const row = {};
    names.forEach((name, i) => {
      if (cells[i] === '' || cells[i] === undefined) row[name] = null;
      else row[name] = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cells[i]) ? Number(cells[i]) : cells[i];
    });
    return row;
  });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cabine-learned-'));
  writeFileSync(join(dir, 'train.csv'), campaignCsv(6000, 1));
  writeFileSync(join(dir, 'rows.csv'), campaignCsv(1000, 2));
  const features = 'recency,history,womens,zip_code,channel';
  const learned = join(dir, 'learned.cabine');
  run(['train-uplift', '--data', join(dir, 'train.csv'), '--treatment-col', 'arm', '--treatment', 'mail', '--control', 'none',
    '--outcome', 'visit', '--features', features, '--name', 'email', '--out', learned]);
  run(['train-propensity', '--data', join(dir, 'train.csv'), '--outcome', 'visit', '--features', features,
    '--bucketize', 'recency', '--name', 'visit', '--out', learned]);
  run(['train-segments', '--data', join(dir, 'train.csv'), '--features', 'recency,history,womens', '--k', '3', '--out', learned]);
  writeFileSync(join(dir, 'audiences.json'), JSON.stringify({
    audiences: [
      { id: 'womens_buyer', jsonlogic: { '==': [{ var: 'womens' }, 1] } },
      { id: 'big_spender', growthbook: { history: { $gt: 400 } } },
    ],
  }));
  writeFileSync(join(dir, 'decisions.json'), JSON.stringify({
    holdout: { share: 0.1, seed: 'learned-test' },
    slots: [{
      id: 'pdp_incentive',
      contents: [
        { id: 'voucher', priority: 10, incentive: { uplift_model: 'email', cost: 0.5, value: 20 } },
        { id: 'womens_edit', priority: 5, jsonlogic: { in: ['womens_buyer', { var: 'features.audiences' }] } },
        { id: 'size_guide', priority: 0 },
      ],
    }],
  }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    id: 'learned-test', audiences: 'audiences.json', decisions: 'decisions.json', include: ['learned.cabine'],
  }));
  run(['bundle', '--config', join(dir, 'config.json'), '--out', join(dir, 'full.cabine')]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('native score and wasm scores/matchAudiences/decide agree on 1,000 rows', async () => {
  const r = run(['score', '--model', join(dir, 'full.cabine'), '--input', join(dir, 'rows.csv'), '--out', join(dir, 'scores.csv'),
    '--now', String(NOW)]);
  assert.match(r.stdout, /scored 1000 rows with 1 propensity, 1 uplift and the segment models, the audiences and 1 slots/);
  const native = rowsOf(readFileSync(join(dir, 'scores.csv'), 'utf8'));
  assert.deepEqual(Object.keys(native[0]), ['p_visit', 'uplift_email', 'p_treated_email', 'p_control_email', 'quadrant_email',
    'segment', 'segment_confidence', 'audiences', 'content_pdp_incentive', 'assignment_pdp_incentive']);
  const rows = rowsOf(readFileSync(join(dir, 'rows.csv'), 'utf8'));
  const cabine = await createCabine();
  await cabine.loadModel(join(dir, 'full.cabine'));
  let worst = 0;
  const seen = { contents: new Set(), quadrants: new Set(), segments: new Set(), holdout: 0 };
  rows.forEach((row, i) => {
    cabine.forget();
    cabine.setAttributes(row);
    const s = cabine.scores({ now: NOW });
    const n = native[i];
    for (const [a, b] of [[s.propensity.visit, n.p_visit], [s.uplift.email.uplift, n.uplift_email],
      [s.uplift.email.pTreated, n.p_treated_email], [s.uplift.email.pControl, n.p_control_email],
      [s.segmentConfidence, n.segment_confidence]]) {
      assert.equal(typeof a, 'number');
      worst = Math.max(worst, Math.abs(a - b));
    }
    assert.equal(s.uplift.email.quadrant, n.quadrant_email, `row ${i}`);
    assert.equal(s.segment, n.segment, `row ${i}`);
    const matched = cabine.matchAudiences({ now: NOW }).filter((a) => a.matched).map((a) => a.id).join(' ');
    assert.equal(matched, n.audiences ?? '', `row ${i}`);
    const d = cabine.decide('pdp_incentive', { now: NOW });
    assert.equal(d.content, n.content_pdp_incentive, `row ${i}: ${d.reason}`);
    assert.equal(d.assignment, n.assignment_pdp_incentive, `row ${i}`);
    assert.ok(Math.abs(d.scores.uplift.email.uplift - n.uplift_email) <= 1e-6);
    seen.contents.add(d.content);
    seen.quadrants.add(n.quadrant_email);
    seen.segments.add(n.segment);
    if (d.assignment === 'holdout') seen.holdout++;
  });
  console.log(`largest native/wasm difference over ${rows.length} rows: ${worst.toExponential(2)}; contents ${[...seen.contents]}, ` +
    `quadrants ${[...seen.quadrants]}, ${seen.segments.size} segments, ${seen.holdout} held out`);
  assert.ok(worst <= 1e-6, `${worst}`);
  // The comparison covers every branch: all three contents, persuadables and others, every segment, some holdout.
  assert.deepEqual([...seen.contents].sort(), ['size_guide', 'voucher', 'womens_edit']);
  assert.ok(seen.quadrants.has('persuadable') && seen.quadrants.size >= 2, [...seen.quadrants].join());
  assert.equal(seen.segments.size, 3);
  assert.ok(seen.holdout > 50 && seen.holdout < 150, `${seen.holdout}`);
});

test('incentives go to persuadables only, where uplift x value - cost > 0', async () => {
  const cabine = await createCabine();
  await cabine.loadModel(join(dir, 'full.cabine'));
  let checked = 0;
  const withheld = {};  // quadrant -> visitors with a positive gain who got no voucher
  for (const row of rowsOf(readFileSync(join(dir, 'rows.csv'), 'utf8')).slice(0, 300)) {
    cabine.forget();
    cabine.setAttributes(row);
    const d = cabine.decide('pdp_incentive', { now: NOW });
    if (d.assignment === 'holdout') {
      assert.notEqual(d.content, 'voucher');
      continue;
    }
    const { uplift, quadrant } = d.scores.uplift.email;
    const gain = uplift * 20 - 0.5;
    assert.equal(d.content === 'voucher', quadrant === 'persuadable' && gain > 0, `${quadrant}, gain ${gain}: ${d.reason}`);
    if (d.content === 'voucher') assert.ok(Math.abs(d.expectedGain - gain) < 1e-12);
    if (gain > 0 && quadrant !== 'persuadable') {
      withheld[quadrant] = (withheld[quadrant] ?? 0) + 1;
      assert.match(d.reason, new RegExp(`passed over voucher: an incentive, and the visitor is a ${quadrant} \\(uplift `));
    }
    checked++;
  }
  assert.ok(checked > 200);
  console.log(`positive gain but no voucher, by quadrant: ${JSON.stringify(withheld)}`);
});

test('scores() before a model is NO_MODEL; a model without learned models scores nothing', async () => {
  const cabine = await createCabine();
  assert.throws(() => cabine.scores(), (e) => e instanceof CabineError && e.code === 'NO_MODEL');
  await cabine.loadModel(new URL('../golden/v1.0/demo.cabine', import.meta.url));
  assert.deepEqual(cabine.scores(), { propensity: {}, uplift: {}, segment: null, segmentConfidence: 0 });
});

test('the event-log path: features at a cutoff with a label, trained, then the browser scores the same visitor alike', async () => {
  const rnd = random(7);
  const cutoff = NOW - 30 * DAY;
  const events = [];
  for (let c = 0; c < 400; c++) {
    const keen = rnd() < 0.4;
    const n = 1 + Math.floor(rnd() * (keen ? 12 : 4));
    for (let k = 0; k < n; k++) {
      const t = cutoff - Math.floor(rnd() * 60 * DAY);
      const type = rnd() < (keen ? 0.3 : 0.08) ? 'purchase' : 'view';
      events.push({ customerId: `c${c}`, type, time: t, category: rnd() < 0.5 ? 'dress' : 'jeans', price: type === 'purchase' ? 40 : undefined });
    }
    if (rnd() < (keen ? 0.6 : 0.15)) events.push({ customerId: `c${c}`, type: 'purchase', time: cutoff + Math.floor(rnd() * 20 * DAY), price: 30 });
  }
  events.push({ customerId: 'late', type: 'view', time: cutoff + DAY });
  events.sort((a, b) => a.time - b.time);
  writeFileSync(join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const r = run(['features', '--events', join(dir, 'events.jsonl'), '--at', String(cutoff), '--label', 'purchase', '--label-days', '30',
    '--format', 'csv', '--out', join(dir, 'features.csv')]);
  assert.match(r.stdout, /features at .* of 400 customers/);
  assert.match(r.stdout, /label label_purchase_30d: \d+ of 400 customers had a purchase in the 30 days after/);
  const table = rowsOf(readFileSync(join(dir, 'features.csv'), 'utf8'));
  assert.ok(!table.some((row) => row.customer_id === 'late'), 'a customer first seen after the cutoff has no features');
  const columns = 'features.frequency,features.views,features.days_since_last_visit,features.recency_days,features.top_category';
  run(['train-propensity', '--data', join(dir, 'features.csv'), '--outcome', 'label_purchase_30d', '--features', columns,
    '--name', 'buyer', '--holdout', '0', '--out', join(dir, 'buyer.cabine')]);
  run(['score', '--model', join(dir, 'buyer.cabine'), '--input', join(dir, 'features.csv'), '--out', join(dir, 'buyer.csv'),
    '--now', String(cutoff)]);
  const native = rowsOf(readFileSync(join(dir, 'buyer.csv'), 'utf8'));
  const cabine = await createCabine();
  await cabine.loadModel(join(dir, 'buyer.cabine'));
  let worst = 0;
  const byCustomer = new Map();
  for (const e of events) byCustomer.set(e.customerId, [...(byCustomer.get(e.customerId) ?? []), e]);
  table.forEach((row, i) => {
    cabine.forget();
    for (const e of byCustomer.get(row.customer_id)) {
      if (e.time > cutoff) continue;
      const { customerId, ...event } = e;
      cabine.track(event);
    }
    // The training features are exactly what the browser derives at the cutoff...
    const features = cabine.profileAt(cutoff).features;
    for (const [column, value] of Object.entries(row)) {
      if (column.startsWith('features.')) assert.equal(features[column.slice(9)], value, `${row.customer_id} ${column}`);
    }
    // ...so the scores agree up to the last bit of exp() in the two C libraries.
    const p = cabine.scores({ now: cutoff }).propensity.buyer;
    worst = Math.max(worst, Math.abs(p - native[i].p_buyer));
  });
  console.log(`event-log path: largest native/wasm difference over ${table.length} customers: ${worst.toExponential(2)}`);
  assert.ok(worst <= 1e-12, `${worst}`);
});

test('adding a model to an existing model file adds its data to the fingerprint', () => {
  const out = join(dir, 'fingerprint.cabine');
  const fingerprint = () => JSON.parse(run(['inspect', out]).stdout).data_fingerprint;
  writeFileSync(join(dir, 'other.csv'), campaignCsv(500, 9));
  run(['train-propensity', '--data', join(dir, 'train.csv'), '--outcome', 'visit', '--features', 'recency', '--name', 'a', '--out', out]);
  const first = fingerprint();
  run(['train-propensity', '--data', join(dir, 'train.csv'), '--outcome', 'visit', '--features', 'history', '--name', 'b', '--out', out]);
  const again = fingerprint();
  run(['train-propensity', '--data', join(dir, 'other.csv'), '--outcome', 'visit', '--features', 'history', '--name', 'c', '--out', out]);
  const other = fingerprint();
  assert.match(first, /^[0-9a-f]{64}$/);
  assert.notEqual(again, first, 'the file now depends on the data twice over');
  assert.notEqual(other, again);
});

test('features --at without a label uses the events up to --at only', () => {
  const events = join(dir, 'at-events.jsonl');
  writeFileSync(events, [
    { customerId: 'a', type: 'view', time: NOW - DAY, category: 'dress' },
    { customerId: 'a', type: 'purchase', time: NOW + DAY, price: 50 },
    { customerId: 'b', type: 'view', time: NOW + 2 * DAY },
  ].map((e) => JSON.stringify(e)).join('\n') + '\n');
  const out = join(dir, 'at-features.jsonl');
  const r = run(['features', '--events', events, '--at', String(NOW), '--out', out]);
  assert.match(r.stdout, /features at 2026-12-01T00:00:00\.000Z of 1 customers/);
  const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((row) => row.customerId), ['a'], 'b has no event by --at');
  assert.equal(rows[0].features.purchases, 0, 'the purchase after --at is not counted');
  assert.equal(rows[0].features.views, 1);
  assert.equal(rows[0].features.days_since_last_visit, 1);
});

test('features refuses --label without --label-days or --at, and an unknown event type', () => {
  const events = join(dir, 'events.jsonl');
  writeFileSync(events, `${JSON.stringify({ customerId: 'a', type: 'view', time: NOW })}\n`);
  for (const [args, message] of [
    [['--label', 'purchase', '--at', String(NOW)], /--label and --label-days go together, and need --at/],
    [['--label', 'purchase', '--label-days', '30'], /--label and --label-days go together, and need --at/],
    [['--label', 'buy', '--label-days', '30', '--at', String(NOW)], /--label must be an event type .* not "buy"/],
    [['--label', 'purchase', '--label-days', '0', '--at', String(NOW)], /--label-days must be a number of days/],
  ]) {
    const r = spawnSync(CLI, ['features', '--events', events, '--out', join(dir, 'x.csv'), ...args], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, message);
  }
});
