// Cabine's node entry (package.json "exports" condition "node"). Same API as
// cabine.js; in addition it reads the .wasm from disk and lets loadModel take
// file paths and file: URLs.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { createCabine as createWebCabine, CabineError, ERROR_CODES } from './cabine.js';

export { CabineError, ERROR_CODES };

const READ_SOURCE = Symbol.for('cabine.internal.readSource');

// A string with a scheme of two or more letters is a URL; anything else is a path.
function localPath(source) {
  if (typeof source === 'string') {
    if (/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(source)) return source.startsWith('file:') ? new URL(source) : null;
    return source;
  }
  if (source instanceof URL && source.protocol === 'file:') return source;
  return null;
}

async function readLocalModel(source) {
  const path = localPath(source);
  if (path === null) return undefined;
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new CabineError('MODEL_FETCH_FAILED', `could not read the model file ${String(path)}: ${cause.message}`, { cause });
  }
}

export async function createCabine(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new CabineError('INVALID_ARGUMENT', `createCabine options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const resolved = { ...options, [READ_SOURCE]: readLocalModel };
  if (options.wasmBinary === undefined) {
    const url = options.wasmUrl !== undefined ? new URL(String(options.wasmUrl), pathToFileURL(`${process.cwd()}/`)) : new URL('./cabine-core.wasm', import.meta.url);
    if (url.protocol === 'file:') {
      try {
        resolved.wasmBinary = await readFile(url);
      } catch (cause) {
        throw new CabineError('WASM_LOAD_FAILED', `could not read the Cabine WebAssembly module ${url.href}: ${cause.message}`, { cause });
      }
      delete resolved.wasmUrl;
    }
  }
  return createWebCabine(resolved);
}
