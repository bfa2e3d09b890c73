// The browser module (js + wasm, gzip -9) stays within its 60 KB budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureSize, GZIP_BUDGET_BYTES } from '../../scripts/size.mjs';

test('module size is within the gzip budget', () => {
  const size = measureSize();
  console.log(`module size: raw ${size.raw} B, gzip -9 ${size.gzip} B, brotli ${size.brotli} B (budget ${GZIP_BUDGET_BYTES} B gzip)`);
  assert.ok(size.gzip > 10_000, 'the measured files are the real module');
  assert.ok(size.gzip <= GZIP_BUDGET_BYTES, `${size.gzip} B gzip exceeds the ${GZIP_BUDGET_BYTES} B budget`);
});
