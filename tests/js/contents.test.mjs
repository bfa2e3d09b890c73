// modelContents(): the products of the fit section and the slots of the
// decisions section, as the QA page and product pickers list them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCabine, CabineError } from 'cabine';
import { ROOT } from './helpers.mjs';

const DEMO_MODEL = `${ROOT}/build/demo/demo.cabine`;

test('modelContents lists the demo model\'s products and slots', async () => {
  const cabine = await createCabine();
  assert.throws(() => cabine.modelContents(), (e) => e instanceof CabineError && e.code === 'NO_MODEL');
  await cabine.loadModel(DEMO_MODEL);
  const c = cabine.modelContents();
  assert.equal(c.productCount, 120);
  assert.equal(c.products.length, 120);
  for (const p of c.products) {
    assert.match(p.productId, /^P\d{5}$/);
    assert.ok(p.sizes.length >= 2, `${p.productId} has its sizes`);
    assert.ok(['runs_small', 'true_to_size', 'runs_large'].includes(p.flag), p.flag);
    assert.equal(typeof p.category, 'string');
  }
  const first = c.products[0];
  assert.equal(cabine.recommendSize({ productId: first.productId }).flag, first.flag);
  assert.deepEqual(cabine.recommendSize({ productId: first.productId }).sizes.map((s) => s.size), first.sizes);
  assert.deepEqual(c.slots.map((s) => s.id), ['home_banner', 'pdp_incentive']);
  assert.deepEqual(c.slots[1].contents, ['free_returns_voucher', 'size_guide']);
  assert.ok(Object.isFrozen(c.products[0].sizes), 'read-only');
  assert.equal(cabine.modelContents({ limit: 5 }).products.length, 5);
  assert.equal(cabine.modelContents({ limit: 5 }).productCount, 120);
  for (const limit of [-1, 1.5, 'x', 2e6]) {
    assert.throws(() => cabine.modelContents({ limit }), (e) => e.code === 'INVALID_ARGUMENT' && /options\.limit must be an integer/.test(e.message));
  }
});

test('a model without fit or decisions has no products and no slots', async () => {
  const cabine = await createCabine();
  await cabine.loadModel(new URL('../golden/v1.0/demo.cabine', import.meta.url));
  const c = cabine.modelContents();
  assert.deepEqual({ ...c, products: [...c.products], slots: [...c.slots] }, { products: [], productCount: 0, slots: [] });
});
