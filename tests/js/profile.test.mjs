// The on-device profile and rule audiences through the JS API: events, derived
// features, save/load, forget, matchAudiences on the demo model, and the
// acceptance check that the trainer's features (model-export features, native)
// and the browser's (track() in wasm) agree exactly on 10,000 events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCabine, CabineError } from 'cabine';
import { ROOT } from './helpers.mjs';

const CLI = `${ROOT}/build/bin/model-export`;
const DEMO_MODEL = `${ROOT}/build/demo/demo.cabine`;
const T0 = Date.UTC(2026, 0, 1);
const DAY = 86400000;

function thrown(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a CabineError');
}

test('track() updates the features; bad events are refused with the field named', async () => {
  const cabine = await createCabine();
  cabine.track({ type: 'session_start', time: T0, channel: 'web', device: 'mobile' });
  cabine.track({ type: 'view', time: T0 + 1000, productId: 'P1', category: 'dress', brand: 'Acme' });
  cabine.track({ type: 'add_to_cart', time: new Date(T0 + 2000), productId: 'P1', category: 'dress', brand: 'Acme', price: 59.9 });
  cabine.track({ type: 'purchase', time: T0 + 3000, productId: 'P1', category: 'dress', brand: 'Acme', price: 59.9 });
  const { features, attributes } = cabine.profileAt(T0 + 3 * DAY);
  assert.deepEqual(attributes, {});
  assert.equal(features.frequency, 1);
  assert.equal(features.monetary, 59.9);
  assert.equal(features.recency_days, (3 * DAY - 3000) / DAY);
  assert.equal(features.sessions, 1);
  assert.equal(features.session_depth, 3);
  assert.equal(features.channel, 'web');
  assert.equal(features.device, 'mobile');
  assert.equal(features.top_category, 'dress');
  assert.ok(Math.abs(features.category_affinity.dress - 9 * 2 ** (-(3 * DAY - 3000) / (30 * DAY))) < 1e-5, `${features.category_affinity.dress}`);
  const before = cabine.saveProfile();
  for (const [event, message] of [
    [{ type: 'buy', time: T0 }, /^event: type must be one of session_start, view/],
    [{ type: 'view', time: -5 }, /^event: time must be milliseconds since 1970/],
    [{ type: 'view', time: T0, price: 'cheap' }, /^event: price must be a number/],
    [{ type: 'view', time: T0, sku: 'x' }, /^event: unknown field "sku"/],
    [null, /^event: must be an object/],
  ]) {
    const err = thrown(() => cabine.track(event));
    assert.ok(err instanceof CabineError);
    assert.equal(err.code, 'INVALID_EVENT');
    assert.match(err.message, message);
  }
  assert.equal(cabine.saveProfile(), before, 'a refused event changes nothing');
  const live = cabine.profile.features;
  assert.ok(live.recency_days > 300, 'profile derives the features at Date.now()');
});

test('a profile survives save and load byte for byte; a corrupt one is replaced and reported', async () => {
  const a = await createCabine();
  a.setAttributes({ country: 'FR', tier: 'gold', score: 0.1, styles: ['boho'] });
  a.track({ type: 'purchase', time: T0, category: 'jeans', brand: 'Bolt', price: 80 });
  a.track({ type: 'return', time: T0 + DAY, category: 'jeans', brand: 'Bolt', price: 80 });
  const saved = a.saveProfile();
  const b = await createCabine();
  b.loadProfile(saved);
  assert.equal(b.saveProfile(), saved);
  assert.deepEqual(b.profileAt(T0 + 2 * DAY), a.profileAt(T0 + 2 * DAY));
  for (const [text, message] of [
    [saved.slice(0, 40), /profile is not valid JSON: line 1, column 41/],
    [saved.replace('"v":1', '"v":7'), /version 7 is not 1/],
    [' '.repeat(300 * 1024), /it is 307200 bytes; the limit is 262144/],
    [42, /must be a string/],
  ]) {
    const err = thrown(() => b.loadProfile(text));
    assert.equal(err.code, 'INVALID_PROFILE');
    assert.match(err.message, /a fresh profile replaces it/);
    assert.match(err.message, message);
    assert.equal(b.profileAt(T0).features.events, 0, 'the profile is fresh');
    b.loadProfile(saved);
  }
  b.forget();
  assert.deepEqual(b.profileAt(T0).attributes, {});
  assert.equal(b.profileAt(T0).features.events, 0);
  assert.equal(thrown(() => a.setAttributes({ features: 1 })).code, 'INVALID_ARGUMENT');
  assert.equal(thrown(() => a.setAttributes([1])).code, 'INVALID_ARGUMENT');
});

test('matchAudiences evaluates every audience of the demo model with reasons', async () => {
  const cabine = await createCabine();
  assert.equal(thrown(() => cabine.matchAudiences()).code, 'NO_MODEL');
  await cabine.loadModel(DEMO_MODEL);
  let now = T0;
  const byId = () => Object.fromEntries(cabine.matchAudiences({ now }).map((a) => [a.id, a]));
  let m = byId();
  assert.deepEqual(Object.keys(m), ['new_visitor', 'dress_lover', 'cart_abandoner', 'loyal_buyer', 'serial_returner', 'gold_fr', 'staff']);
  assert.equal(m.new_visitor.matched, true);
  assert.match(m.new_visitor.reason, /^matched: First session, nothing bought yet \(all 2 conditions hold\)$/);
  assert.equal(m.gold_fr.matched, false);
  assert.match(m.gold_fr.reason, /^not matched: condition \/country does not hold: \{"country":"FR"\}$/);
  cabine.setAttributes({ country: 'FR', tier: 'gold', id: 'staff-002' });
  for (let i = 0; i < 3; i++) cabine.track({ type: 'view', time: now + i, category: 'dress' });
  cabine.track({ type: 'add_to_cart', time: now + 10, category: 'dress', price: 40 });
  m = byId();
  assert.equal(m.gold_fr.matched, true);
  assert.equal(m.staff.matched, true);
  assert.equal(m.dress_lover.matched, true);
  assert.equal(m.cart_abandoner.matched, true);
  assert.equal(m.loyal_buyer.matched, false);
  assert.match(m.loyal_buyer.reason, /^not matched: condition \/and\/0 does not hold: \{">=":\[\{"var":"features.frequency"\},3\]\}$/);
  now += 60 * DAY;  // affinities decay with the model's 30-day half-life
  assert.equal(byId().dress_lover.matched, false);
});

// A deterministic generator of a realistic event stream.
function* events(count, seed) {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const types = ['session_start', 'view', 'view', 'view', 'search', 'add_to_cart', 'purchase', 'return'];
  const categories = ['dress', 'jeans', 'top', 'coat', 'skirt', 'shoes'];
  let t = T0;
  for (let i = 0; i < count; i++) {
    t += Math.floor(rand() * (rand() < 0.1 ? 5 * DAY : 40 * 60000));
    const e = { customerId: `c${Math.floor(rand() * 25)}`, type: types[Math.floor(rand() * types.length)], time: t };
    if (e.type !== 'session_start' && e.type !== 'search') {
      e.productId = `P${Math.floor(rand() * 500)}`;
      e.category = categories[Math.floor(rand() * categories.length)];
      e.brand = `B${Math.floor(rand() * 70)}`;  // more brands than a profile keeps
      e.price = Math.round(rand() * 20000) / 100;
    }
    if (rand() < 0.05) e.device = rand() < 0.5 ? 'mobile' : 'desktop';
    yield e;
  }
}

test('the trainer path and the browser path give exactly the same features on 10,000 events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-features-'));
  try {
    const log = [...events(10000, 7)];
    writeFileSync(join(dir, 'events.jsonl'), log.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const at = log.at(-1).time + 3 * DAY + 12345;
    const r = spawnSync(CLI, ['features', '--events', join(dir, 'events.jsonl'), '--model', DEMO_MODEL, '--at', String(at),
      '--out', join(dir, 'features.jsonl')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^replayed 10000 events for 25 customers in/);
    const trained = readFileSync(join(dir, 'features.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const cabine = await createCabine();
    await cabine.loadModel(DEMO_MODEL);
    let compared = 0;
    for (const { customerId, features } of trained) {
      cabine.forget();
      for (const { customerId: id, ...event } of log) if (id === customerId) cabine.track(event);
      assert.deepStrictEqual(cabine.profileAt(at).features, features, `customer ${customerId}`);
      compared += Object.keys(features).length;
    }
    assert.equal(trained.length, 25);
    console.log(`trainer (native) and browser (wasm) features identical for ${trained.length} customers, ${compared} fields`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
