// Cabine: the JavaScript API over the WebAssembly core.
//
// This file is the package's browser (and default) entry. It turns the core's
// {ok, code, message} results into CabineError, fetches models, and copies
// every result out of wasm memory. See cabine.d.ts for the documented API.
import createCabineCore from './cabine-core.js';

/** Every error code, in C++ enum order, then the codes only this JS layer produces. */
export const ERROR_CODES = Object.freeze([
  'MODEL_EMPTY',
  'MODEL_BAD_MAGIC',
  'MODEL_UNSUPPORTED_VERSION',
  'MODEL_TRUNCATED',
  'MODEL_CHECKSUM_MISMATCH',
  'MODEL_TRAILING_BYTES',
  'MODEL_MALFORMED_HEADER',
  'MODEL_MISSING_REQUIRED_SECTION',
  'MODEL_UNKNOWN_REQUIRED_SECTION',
  'MODEL_DUPLICATE_SECTION',
  'MODEL_MALFORMED_SECTION',
  'MODEL_TOO_LARGE',
  'NO_MODEL',
  'INVALID_ARGUMENT',
  // JS layer only:
  'WASM_LOAD_FAILED',
  'MODEL_FETCH_FAILED',
]);

/** The one error type Cabine throws. `code` is stable; `message` says what and where. */
export class CabineError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'CabineError';
    this.code = code;
  }
}

// Lets the node entry (node.js) read local files in loadModel; not public API.
const READ_SOURCE = Symbol.for('cabine.internal.readSource');

function describe(value) {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}

function asBytes(value) {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

function isUrlLike(value) {
  return typeof value === 'string' || (typeof value === 'object' && value !== null && typeof value.href === 'string');
}

function resolveUrl(value) {
  const base = globalThis.location?.href;
  try {
    return new URL(typeof value === 'string' ? value : value.href, base);
  } catch (cause) {
    throw new CabineError('INVALID_ARGUMENT', `not a valid URL: '${String(value)}'`, { cause });
  }
}

async function fetchModelBytes(source, maxBytes) {
  const url = resolveUrl(source);
  let response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new CabineError('MODEL_FETCH_FAILED', `could not fetch the model from ${url.href}: ${cause?.message ?? cause}`, { cause });
  }
  if (!response.ok) {
    throw new CabineError('MODEL_FETCH_FAILED', `could not fetch the model from ${url.href}: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    throw new CabineError('MODEL_TOO_LARGE', `the model at ${url.href} has ${declared} bytes; the limit is ${maxBytes}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

function toModelInfo(raw) {
  return Object.freeze({
    id: raw.id,
    formatVersion: raw.formatVersion,
    createdAt: new Date(raw.createdAtMs).toISOString(),
    createdAtMs: raw.createdAtMs,
    exporterVersion: raw.exporterVersion,
    dataFingerprint: raw.dataFingerprint,
    totalBytes: raw.totalBytes,
    sections: Object.freeze(raw.sections.map((s) => Object.freeze({ ...s }))),
    metadata: Object.freeze({ ...raw.metadata }),
  });
}

class Cabine {
  #core;
  #versions;
  #readSource;

  constructor(core, readSource) {
    this.#core = core;
    this.#versions = core.versions();
    this.#readSource = readSource;
  }

  /** The cabine package version of the WebAssembly core. */
  get version() {
    return this.#versions.package;
  }

  /** The newest model format version this build reads, "major.minor". */
  get formatVersion() {
    return `${this.#versions.formatMajor}.${this.#versions.formatMinor}`;
  }

  /** Info of the model in service, or null before the first successful loadModel. */
  get modelInfo() {
    const raw = this.#core.modelInfo();
    return raw.ok ? toModelInfo(raw) : null;
  }

  async loadModel(source) {
    let bytes = asBytes(source);
    if (bytes === null) {
      const local = this.#readSource ? await this.#readSource(source) : undefined;
      if (local !== undefined) {
        bytes = local;
      } else if (typeof Blob !== 'undefined' && source instanceof Blob) {
        bytes = new Uint8Array(await source.arrayBuffer());
      } else if (isUrlLike(source)) {
        bytes = await fetchModelBytes(source, this.#versions.maxModelBytes);
      } else {
        throw new CabineError(
          'INVALID_ARGUMENT',
          `loadModel expects a Uint8Array, ArrayBuffer, Blob, URL or URL string, got ${describe(source)}`,
        );
      }
    }
    // Refuse before copying a huge buffer into wasm memory.
    if (bytes.byteLength > this.#versions.maxModelBytes) {
      throw new CabineError('MODEL_TOO_LARGE', `the model has ${bytes.byteLength} bytes; the limit is ${this.#versions.maxModelBytes}`);
    }
    const raw = this.#core.loadModel(bytes);
    if (!raw.ok) throw new CabineError(raw.code, raw.message);
    return toModelInfo(raw);
  }

  /** Diagnostics: wasm linear memory and malloc'd bytes, for leak checks. */
  memoryStats() {
    const raw = this.#core.heapStats();
    return { wasmMemoryBytes: raw.wasmMemoryBytes, heapBytesInUse: raw.heapBytesInUse };
  }
}

/**
 * Instantiates the WebAssembly core. With no options the .wasm is fetched from
 * beside this file (new URL('./cabine-core.wasm', import.meta.url)), which
 * bundlers such as Vite understand.
 */
export async function createCabine(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new CabineError('INVALID_ARGUMENT', `createCabine options must be an object, got ${describe(options)}`);
  }
  const moduleArg = {};
  let where;
  if (options.wasmBinary !== undefined) {
    const binary = asBytes(options.wasmBinary);
    if (binary === null) {
      throw new CabineError('INVALID_ARGUMENT', `options.wasmBinary must be an ArrayBuffer or Uint8Array, got ${describe(options.wasmBinary)}`);
    }
    moduleArg.wasmBinary = binary;
    where = 'options.wasmBinary';
  } else {
    const url =
      options.wasmUrl !== undefined ? resolveUrl(options.wasmUrl).href : new URL('./cabine-core.wasm', import.meta.url).href;
    moduleArg.locateFile = (path) => (path.endsWith('.wasm') ? url : path);
    where = url;
  }
  // Emscripten reports start-up failures on stderr and then rejects; keep those
  // lines for the error instead of printing them, and forward later ones.
  let started = false;
  const startupErrors = [];
  moduleArg.printErr = (text) => (started ? console.warn(`cabine: ${text}`) : startupErrors.push(text));
  let core;
  try {
    core = await createCabineCore(moduleArg);
  } catch (cause) {
    const detail = startupErrors.length > 0 ? startupErrors[0] : String(cause?.message ?? cause);
    throw new CabineError('WASM_LOAD_FAILED', `could not instantiate the Cabine WebAssembly module from ${where}: ${detail}`, { cause });
  }
  started = true;
  return new Cabine(core, options[READ_SOURCE]);
}
