// The TypeScript declarations cover the public API: a sample consumer passes
// `tsc --strict`, and its @ts-expect-error lines prove misuse is rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers.mjs';

test('tests/types/consumer.ts type-checks with tsc --strict against dist/cabine.d.ts', () => {
  const tsc = `${ROOT}/node_modules/.bin/tsc`;
  const run = spawnSync(tsc, ['-p', `${ROOT}/tests/types/tsconfig.json`], { encoding: 'utf8' });
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`);
});
