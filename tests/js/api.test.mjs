// The public JS API under node: createCabine, loadModel from every source
// kind, modelInfo, and CabineError codes with the earlier model kept in service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createCabine, CabineError, ERROR_CODES } from 'cabine';
import createCabineCore from '../../dist/cabine-core.js';
import { GOLDEN_V1_0_PATH, PREAMBLE_BYTES, ROOT, badModels, golden } from './helpers.mjs';

const EXPECTED_INFO = {
  id: 'golden-v1.0',
  formatVersion: '1.0',
  createdAt: '2026-01-01T00:00:00.000Z',
  createdAtMs: 1767225600000,
  exporterVersion: '0.1.0',
  totalBytes: 149,
};

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof CabineError, `expected a CabineError, got ${err}`);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'CabineError');
    assert.equal(err.code, code, err.message);
    assert.ok(err.message.length > 10, 'the message says what is wrong');
    return true;
  });
}

test('createCabine() with no options works in node and starts with no model', async () => {
  const cabine = await createCabine();
  assert.equal(cabine.version, JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version);
  assert.equal(cabine.formatVersion, '1.0');
  assert.equal(cabine.modelInfo, null);
});

test('loadModel accepts bytes, ArrayBuffer, DataView, a path and a file: URL', async () => {
  const cabine = await createCabine();
  const bytes = golden();
  const sources = [
    bytes,
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    GOLDEN_V1_0_PATH,
    pathToFileURL(GOLDEN_V1_0_PATH),
    pathToFileURL(GOLDEN_V1_0_PATH).href,
    new Blob([bytes]),
  ];
  for (const source of sources) {
    const info = await cabine.loadModel(source);
    for (const [key, value] of Object.entries(EXPECTED_INFO)) assert.equal(info[key], value, key);
    assert.match(info.dataFingerprint, /^[0-9a-f]{64}$/);
    assert.deepEqual(info.sections.map((s) => [s.name, s.required, s.known]), [['strings', true, true], ['metadata', false, true]]);
    assert.equal(info.sections.reduce((n, s) => n + s.bytes, 0) < info.totalBytes, true);
    assert.deepEqual({ ...info.metadata }, { description: 'Golden model for format v1.0', note: 'Grüße, ✓ UTF-8' });
    assert.deepEqual(cabine.modelInfo, info);
  }
});

test('a Blob over the size limit is refused before it is read', async () => {
  const cabine = await createCabine();
  await cabine.loadModel(golden());
  let read = false;
  class HugeBlob extends Blob {
    get size() { return 16 * 1024 * 1024 + 1; }
    arrayBuffer() { read = true; return super.arrayBuffer(); }
  }
  await assert.rejects(cabine.loadModel(new HugeBlob([golden()])),
    (e) => e instanceof CabineError && e.code === 'MODEL_TOO_LARGE' && e.message === 'the model has 16777217 bytes; the limit is 16777216');
  assert.equal(read, false, 'the bytes were never read');
  assert.equal(cabine.modelInfo.id, 'golden-v1.0', 'the model in service stays');
});

test('results are plain frozen copies that later loads do not change', async () => {
  const cabine = await createCabine();
  const info = await cabine.loadModel(golden());
  assert.ok(Object.isFrozen(info) && Object.isFrozen(info.sections) && Object.isFrozen(info.metadata));
  const other = golden();
  await assert.rejects(cabine.loadModel(other.slice(0, 10)));
  assert.equal(info.id, 'golden-v1.0');
});

test('each bad model gives its own code and the earlier model stays in service', async () => {
  const cabine = await createCabine();
  await rejectsWith(cabine.loadModel(new Uint8Array(0)), 'MODEL_EMPTY');  // nothing in service yet
  assert.equal(cabine.modelInfo, null);
  await cabine.loadModel(golden());
  const seen = new Set();
  for (const [name, bytes, code] of badModels()) {
    await rejectsWith(cabine.loadModel(bytes), code);
    assert.equal(cabine.modelInfo?.id, 'golden-v1.0', `after ${name}`);
    seen.add(code);
  }
  assert.equal(seen.size, badModels().length, 'every case has its own code');
});

test('every truncated prefix and every flipped payload byte is caught', async () => {
  const cabine = await createCabine();
  const g = golden();
  await cabine.loadModel(g);
  for (let len = 1; len < g.length; len++) await rejectsWith(cabine.loadModel(g.slice(0, len)), 'MODEL_TRUNCATED');
  for (let i = PREAMBLE_BYTES; i < g.length; i++) {
    const damaged = g.slice();
    damaged[i] ^= 0xff;
    await rejectsWith(cabine.loadModel(damaged), 'MODEL_CHECKSUM_MISMATCH');
  }
  assert.equal(cabine.modelInfo.id, 'golden-v1.0');
});

test('bad arguments and unreadable sources give INVALID_ARGUMENT / MODEL_FETCH_FAILED', async () => {
  const cabine = await createCabine();
  for (const bad of [42, null, undefined, {}, [1, 2, 3], true]) await rejectsWith(cabine.loadModel(bad), 'INVALID_ARGUMENT');
  await rejectsWith(cabine.loadModel('/nonexistent/model.cabine'), 'MODEL_FETCH_FAILED');
  await rejectsWith(cabine.loadModel('http://127.0.0.1:9/model.cabine'), 'MODEL_FETCH_FAILED');
  await rejectsWith(createCabine(7), 'INVALID_ARGUMENT');
  await rejectsWith(createCabine({ wasmBinary: 'nope' }), 'INVALID_ARGUMENT');
});

test('wasmBinary and wasmUrl options; a bad module gives WASM_LOAD_FAILED', async () => {
  const wasmPath = `${ROOT}/dist/cabine-core.wasm`;
  const fromBinary = await createCabine({ wasmBinary: readFileSync(wasmPath) });
  assert.equal((await fromBinary.loadModel(golden())).id, 'golden-v1.0');
  const fromUrl = await createCabine({ wasmUrl: pathToFileURL(wasmPath) });
  assert.equal((await fromUrl.loadModel(golden())).id, 'golden-v1.0');
  await rejectsWith(createCabine({ wasmBinary: new Uint8Array([0, 97, 115, 109, 9, 9]) }), 'WASM_LOAD_FAILED');
  await rejectsWith(createCabine({ wasmUrl: '/nonexistent/cabine-core.wasm' }), 'WASM_LOAD_FAILED');
});

test('instances are independent', async () => {
  const a = await createCabine();
  const b = await createCabine();
  await a.loadModel(golden());
  assert.equal(b.modelInfo, null);
});

test('ERROR_CODES lists exactly the C++ codes, then the JS-only ones, and the .d.ts names them all', async () => {
  const core = await createCabineCore({ wasmBinary: readFileSync(`${ROOT}/dist/cabine-core.wasm`) });
  const cppCodes = core.errorCodes();
  assert.deepEqual(ERROR_CODES.slice(0, cppCodes.length), cppCodes);
  assert.deepEqual(ERROR_CODES.slice(cppCodes.length), ['WASM_LOAD_FAILED', 'MODEL_FETCH_FAILED']);
  const dts = readFileSync(`${ROOT}/dist/cabine.d.ts`, 'utf8');
  const union = [...dts.matchAll(/^\s+\| '([A-Z_]+)'/gm)].map((m) => m[1]);
  assert.deepEqual(union, [...ERROR_CODES]);
});
