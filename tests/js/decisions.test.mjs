// Slot decisions through the JS API: decide() with reasons, the holdout by
// visitor id, frequency caps via markRendered(), and the exposure record.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCabine, CabineError } from 'cabine';
import { ROOT } from './helpers.mjs';

const CLI = `${ROOT}/build/bin/model-export`;
const DAY = 86400000;
const NOW = Date.UTC(2026, 11, 1);
let dir;
let modelPath;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cabine-decisions-'));
  writeFileSync(join(dir, 'audiences.json'), JSON.stringify({
    // Three views a second ago score just under 3 (30-day half-life), and 2.49 eight days later.
    audiences: [{ id: 'dress_lover', jsonlogic: { '>=': [{ var: ['features.category_affinity.dress', 0] }, 2.8] } }],
  }));
  writeFileSync(join(dir, 'decisions.json'), JSON.stringify({
    holdout: { share: 0.2, seed: 'js-test' },
    slots: [{
      id: 'home_banner',
      contents: [
        { id: 'dress_edit', priority: 20, jsonlogic: { in: ['dress_lover', { var: 'features.audiences' }] }, cap: { max: 2, days: 7 } },
        { id: 'brand_story', priority: 0 },
      ],
    }, {
      id: 'pdp_incentive',
      contents: [{ id: 'voucher', priority: 10, incentive: { uplift_model: 'email', cost: 1, value: 20 } }, { id: 'size_guide' }],
    }],
  }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ id: 'decisions-test', audiences: 'audiences.json', decisions: 'decisions.json' }));
  modelPath = join(dir, 'm.cabine');
  const r = spawnSync(CLI, ['bundle', '--config', join(dir, 'config.json'), '--out', modelPath], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function visitor(id) {
  const cabine = await createCabine();
  await cabine.loadModel(modelPath);
  cabine.setAttributes({ id });
  return cabine;
}

test('decide picks the best eligible content and says why; markRendered returns the exposure and counts the cap', async () => {
  // A visitor outside the 20 % holdout.
  let cabine;
  for (let i = 0; ; i++) {
    cabine = await visitor(`t${i}`);
    if (cabine.decide('home_banner', { now: NOW }).assignment === 'treatment') break;
  }
  let d = cabine.decide('home_banner', { now: NOW });
  assert.equal(d.content, 'brand_story');
  assert.match(d.reason, /^"brand_story" \(priority 0\); passed over dress_edit: its rule does not hold/);
  for (let i = 0; i < 3; i++) cabine.track({ type: 'view', time: NOW - 1000 + i, category: 'dress' });
  d = cabine.decide('home_banner', { now: NOW });
  assert.equal(d.content, 'dress_edit');
  assert.deepEqual(d.audiences, ['dress_lover']);
  assert.match(d.reason, /^"dress_edit" \(priority 20\); audiences: dress_lover$/);
  assert.deepEqual({ ...d.exposure }, { slot: 'home_banner', content: 'dress_edit', assignment: 'treatment', visitorId: cabine.profile.attributes.id,
    modelId: 'decisions-test', decidedAt: NOW });
  const exposure = cabine.markRendered(d, { now: NOW + 5 });
  assert.equal(exposure.renderedAt, NOW + 5);
  assert.equal(exposure.content, 'dress_edit');
  assert.equal(cabine.markRendered(d, { now: NOW + 7 }), exposure, 'a decision counts once: the same record again');
  cabine.markRendered(cabine.decide('home_banner', { now: NOW + 10 }), { now: NOW + 10 });
  d = cabine.decide('home_banner', { now: NOW + 20 });
  assert.equal(d.content, 'brand_story', 'capped after two renders in 7 days');
  assert.match(d.reason, /passed over dress_edit: capped: rendered 2 times in 7 days/);
  assert.equal(cabine.decide('home_banner', { now: NOW + 8 * DAY }).content, 'brand_story', 'the affinity has decayed by then');
  // The renders survive a save and load of the profile.
  const saved = cabine.saveProfile();
  assert.match(saved, /"renders":\[\["dress_edit",\[/);
  const again = await visitor('x');
  again.loadProfile(saved);
  assert.equal(again.saveProfile(), saved);
});

test('incentives need an uplift model; without one they are passed over', async () => {
  const cabine = await visitor('someone');
  const d = cabine.decide('pdp_incentive', { now: NOW });
  assert.equal(d.content, 'size_guide');
  assert.match(d.reason, d.assignment === 'holdout' ? /voucher: an incentive, and the visitor is in the holdout/ : /voucher: the model has no uplift model "email"/);
});

test('the holdout is deterministic per visitor id and near its share', async () => {
  const cabine = await createCabine();
  await cabine.loadModel(modelPath);
  let held = 0;
  const n = 2000;
  for (let i = 0; i < n; i++) {
    cabine.setAttributes({ id: `visitor-${i}` });
    const a = cabine.decide('home_banner', { now: NOW }).assignment;
    assert.equal(cabine.decide('home_banner', { now: NOW }).assignment, a);
    if (a === 'holdout') held++;
  }
  console.log(`holdout share over ${n} ids: ${held / n} (configured 0.2)`);
  assert.ok(Math.abs(held / n - 0.2) < 0.03, `${held / n}`);
  cabine.setAttributes({});
  assert.equal(cabine.decide('home_banner', { now: NOW }).assignment, 'treatment', 'no id: never held out');
  // A numeric id is hashed as String(id) writes it, as GrowthBook does: the same as its string.
  const ids = [7, 2 ** 40, 1.5];
  for (let k = 1; ids.length < 4; k++) {  // and the first integer whose string is held out
    cabine.setAttributes({ id: String(k) });
    if (cabine.decide('home_banner', { now: NOW }).assignment === 'holdout') ids.push(k);
  }
  for (const id of ids) {
    cabine.setAttributes({ id });
    const d = cabine.decide('home_banner', { now: NOW });
    assert.equal(d.exposure.visitorId, String(id));
    cabine.setAttributes({ id: String(id) });
    assert.equal(cabine.decide('home_banner', { now: NOW }).assignment, d.assignment, `id ${id}`);
  }
});

test('bad calls give clear errors', async () => {
  const cabine = await createCabine();
  assert.throws(() => cabine.decide('home_banner'), (e) => e instanceof CabineError && e.code === 'NO_MODEL');
  await cabine.loadModel(modelPath);
  assert.throws(() => cabine.decide('footer'), (e) => e.code === 'INVALID_ARGUMENT' && /no slot "footer"/.test(e.message));
  assert.throws(() => cabine.decide(''), (e) => e.code === 'INVALID_ARGUMENT');
  assert.throws(() => cabine.markRendered({}), (e) => e.code === 'INVALID_ARGUMENT');
  await cabine.loadModel(new URL('../golden/v1.0/demo.cabine', import.meta.url));
  assert.throws(() => cabine.decide('home_banner'), (e) => e.code === 'INVALID_ARGUMENT' && /has no decisions section/.test(e.message));
});
