// No handle or heap leaks across the boundary: 100k calls (successful loads,
// failed loads and modelInfo) and wasm memory stops growing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCabine, CabineError } from 'cabine';
import { badModels, golden } from './helpers.mjs';

test('100k load/info calls leave wasm memory and the heap where they were', async () => {
  const cabine = await createCabine();
  const good = golden();
  const bad = badModels().map(([, bytes]) => bytes);
  const round = async (i) => {
    if (i % 3 === 0) {
      await cabine.loadModel(good);
    } else {
      try {
        await cabine.loadModel(bad[i % bad.length]);
        assert.fail('a bad model loaded');
      } catch (err) {
        if (!(err instanceof CabineError)) throw err;
      }
    }
    if (cabine.modelInfo?.id !== 'golden-v1.0') assert.fail(`lost the model at call ${i}`);
  };
  const WARMUP = 5_000;
  const CALLS = 100_000;
  for (let i = 0; i < WARMUP; i++) await round(i);
  await cabine.loadModel(good);
  const before = cabine.memoryStats();
  for (let i = 0; i < CALLS; i++) await round(i);
  await cabine.loadModel(good);
  const after = cabine.memoryStats();
  console.log(`memory after ${WARMUP} warm-up calls: ${JSON.stringify(before)}; after ${CALLS} more: ${JSON.stringify(after)}`);
  assert.equal(after.wasmMemoryBytes, before.wasmMemoryBytes, 'wasm memory grew');
  // emmalloc's bookkeeping may shift by a few bytes as free regions split and
  // merge; a leak of even one byte per call would show as 100 KB here.
  assert.ok(Math.abs(after.heapBytesInUse - before.heapBytesInUse) <= 64,
    `heap in use moved from ${before.heapBytesInUse} to ${after.heapBytesInUse} bytes`);
});

test('100k profile, audience and rule calls leave wasm memory and the heap where they were', async () => {
  const cabine = await createCabine();
  await cabine.loadModel(new URL('../../build/demo/demo.cabine', import.meta.url));
  const t0 = Date.UTC(2026, 0, 1);
  const round = (i) => {
    switch (i % 5) {
      case 0:
        cabine.track({ type: 'view', time: t0 + i, category: `c${i % 60}`, brand: `b${i % 7}` });
        break;
      case 1:
        cabine.matchAudiences({ now: t0 + i });
        break;
      case 2:
        cabine.evaluateRule({ and: [{ '>': [{ var: 'a' }, 1] }, { in: ['x', { var: 'list' }] }] }, { a: i, list: ['x', 'y'] });
        break;
      case 3:
        try {
          cabine.evaluateRule({ nope: [1] }, {});
        } catch (err) {
          if (!(err instanceof CabineError)) throw err;
        }
        break;
      default: {
        const saved = cabine.saveProfile();
        cabine.loadProfile(saved);
        cabine.profileAt(t0 + i);
      }
    }
  };
  for (let i = 0; i < 5_000; i++) round(i);
  const before = cabine.memoryStats();
  for (let i = 5_000; i < 105_000; i++) round(i);
  const after = cabine.memoryStats();
  console.log(`profile/rule calls: before ${JSON.stringify(before)}; after 100000 more: ${JSON.stringify(after)}`);
  assert.equal(after.wasmMemoryBytes, before.wasmMemoryBytes, 'wasm memory grew');
  assert.ok(Math.abs(after.heapBytesInUse - before.heapBytesInUse) <= 4096,
    `heap in use moved from ${before.heapBytesInUse} to ${after.heapBytesInUse} bytes`);
});
