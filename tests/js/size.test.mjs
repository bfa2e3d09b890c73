// The browser module (js + wasm, gzip -9) stays under its enforced ceiling, and
// the test prints how far it is from the 60 KB target (see scripts/size.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureSize, GZIP_BUDGET_BYTES, GZIP_CEILING_BYTES } from '../../scripts/size.mjs';

test('module size is under the enforced gzip ceiling', () => {
  const size = measureSize();
  console.log(`module size: raw ${size.raw} B, gzip -9 ${size.gzip} B, brotli ${size.brotli} B ` +
    `(target ${GZIP_BUDGET_BYTES} B, ${size.gzip - GZIP_BUDGET_BYTES} B to go; ceiling ${GZIP_CEILING_BYTES} B)`);
  assert.ok(size.gzip > 10_000, 'the measured files are the real module');
  assert.ok(GZIP_CEILING_BYTES >= GZIP_BUDGET_BYTES);
  assert.ok(size.gzip <= GZIP_CEILING_BYTES, `${size.gzip} B gzip exceeds the ${GZIP_CEILING_BYTES} B ceiling`);
});
