/**
 * Cabine: on-device size recommendations and audiences for fashion
 * e-commerce, running in WebAssembly.
 *
 * ```ts
 * import { createCabine } from 'cabine';
 * const cabine = await createCabine();
 * const info = await cabine.loadModel('/models/shop.cabine');
 * ```
 *
 * Every failure is a {@link CabineError} with a stable {@link ErrorCode}.
 * Nothing returned by this API points into wasm memory: results are plain,
 * frozen JS objects that stay valid after later calls.
 */

/**
 * Stable error codes. The `MODEL_*`, `NO_MODEL` and `INVALID_ARGUMENT` codes
 * are the C++ core's own (same names as `model-export inspect` prints);
 * `WASM_LOAD_FAILED` and `MODEL_FETCH_FAILED` come from the JS layer.
 *
 * - `MODEL_EMPTY`: the model has zero bytes.
 * - `MODEL_BAD_MAGIC`: not a Cabine model (does not start with "CABN").
 * - `MODEL_UNSUPPORTED_VERSION`: the format major version is not one this build reads (newer exporter).
 * - `MODEL_TRUNCATED`: the file ends before the length its preamble declares.
 * - `MODEL_CHECKSUM_MISMATCH`: the payload's CRC-32 does not match: the file is corrupt.
 * - `MODEL_TRAILING_BYTES`: bytes follow the declared payload.
 * - `MODEL_MALFORMED_HEADER`: the header or the section table is invalid.
 * - `MODEL_MISSING_REQUIRED_SECTION`: a section every model must have is absent.
 * - `MODEL_UNKNOWN_REQUIRED_SECTION`: a section this build does not know is marked required.
 * - `MODEL_DUPLICATE_SECTION`: a section appears twice.
 * - `MODEL_MALFORMED_SECTION`: a section's content is invalid; the message names the section.
 * - `MODEL_TOO_LARGE`: above the 64 MiB limit.
 * - `NO_MODEL`: the call needs a model and none is loaded.
 * - `INVALID_ARGUMENT`: an argument has the wrong type or value; the message names it.
 * - `WASM_LOAD_FAILED`: the WebAssembly module could not be fetched or instantiated.
 * - `MODEL_FETCH_FAILED`: the model URL or file could not be read (network error, HTTP status, missing file).
 */
export type ErrorCode =
  | 'MODEL_EMPTY'
  | 'MODEL_BAD_MAGIC'
  | 'MODEL_UNSUPPORTED_VERSION'
  | 'MODEL_TRUNCATED'
  | 'MODEL_CHECKSUM_MISMATCH'
  | 'MODEL_TRAILING_BYTES'
  | 'MODEL_MALFORMED_HEADER'
  | 'MODEL_MISSING_REQUIRED_SECTION'
  | 'MODEL_UNKNOWN_REQUIRED_SECTION'
  | 'MODEL_DUPLICATE_SECTION'
  | 'MODEL_MALFORMED_SECTION'
  | 'MODEL_TOO_LARGE'
  | 'NO_MODEL'
  | 'INVALID_ARGUMENT'
  | 'WASM_LOAD_FAILED'
  | 'MODEL_FETCH_FAILED';

/** All error codes, C++ core codes first. */
export declare const ERROR_CODES: readonly ErrorCode[];

/** The only error type Cabine throws (never strings or numbers). */
export declare class CabineError extends Error {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown });
  readonly name: 'CabineError';
  /** Stable machine-readable code; branch on this, not on the message. */
  readonly code: ErrorCode;
}

/** One section of a model file. */
export interface SectionInfo {
  /** "strings", "metadata", … or "tag_<n>" for a section this build does not know. */
  readonly name: string;
  /** The numeric section tag in the file. */
  readonly tag: number;
  /** The file marks it required: a build that does not know it refuses the model. */
  readonly required: boolean;
  /** Whether this build decoded it (unknown optional sections are skipped). */
  readonly known: boolean;
  /** Content length in bytes. */
  readonly bytes: number;
}

/** Identity, version and size of a loaded model. */
export interface ModelInfo {
  /** The model id chosen by the model team. */
  readonly id: string;
  /** Format version of the file, "major.minor" (independent of the package version). */
  readonly formatVersion: string;
  /** Creation time, ISO 8601 in UTC, e.g. "2026-12-03T16:58:26.000Z". */
  readonly createdAt: string;
  /** Creation time in milliseconds since the Unix epoch. */
  readonly createdAtMs: number;
  /** Version of the model-export that wrote the file. */
  readonly exporterVersion: string;
  /** SHA-256 fingerprint of the training inputs, 64 hex digits. */
  readonly dataFingerprint: string;
  /** Size of the whole file in bytes. */
  readonly totalBytes: number;
  /** Every section in file order, with its size. */
  readonly sections: readonly SectionInfo[];
  /** Free-form key/value pairs the model team attached (description, training notes). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Anything with an `href`, such as a WHATWG `URL`. */
export interface URLLike {
  readonly href: string;
}

/** Anything with `arrayBuffer()`, such as a `Blob` or `File` from a file picker. */
export interface BlobLike {
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * A model to load: its bytes, a Blob/File, or a URL (absolute, or relative to
 * the page). Under node a string without a scheme is a file path, and `file:`
 * URLs are read from disk.
 */
export type ModelSource = Uint8Array | ArrayBuffer | ArrayBufferView | BlobLike | URLLike | string;

export interface CabineOptions {
  /** Where to fetch `cabine-core.wasm`. Default: beside the module (`import.meta.url`). */
  wasmUrl?: string | URLLike;
  /** The .wasm bytes, when the page has them already; takes precedence over `wasmUrl`. */
  wasmBinary?: ArrayBuffer | Uint8Array;
}

/** Wasm memory figures, for diagnostics and leak tests. */
export interface MemoryStats {
  /** Size of the wasm linear memory in bytes (it grows, never shrinks). */
  readonly wasmMemoryBytes: number;
  /** Bytes currently allocated by the core's malloc. */
  readonly heapBytesInUse: number;
}

/** One instance of the engine, with its own wasm memory and model in service. */
export interface Cabine {
  /** The cabine package version of the wasm core, e.g. "0.1.0". */
  readonly version: string;
  /** The newest model format version this build reads, "major.minor". */
  readonly formatVersion: string;
  /** Info of the model in service, or `null` before the first successful load. */
  readonly modelInfo: ModelInfo | null;
  /**
   * Validates the model completely, then puts it in service and returns its
   * info. Loading is atomic: if it fails (a rejected promise with a
   * {@link CabineError}), the model in service before the call stays in service.
   */
  loadModel(source: ModelSource): Promise<ModelInfo>;
  /** Current wasm memory figures. */
  memoryStats(): MemoryStats;
}

/**
 * Creates an engine. Works with no options in a browser page, in a module
 * Worker and in node 20+. Rejects with `WASM_LOAD_FAILED` when the module
 * cannot be fetched or instantiated, `INVALID_ARGUMENT` for bad options.
 */
export declare function createCabine(options?: CabineOptions): Promise<Cabine>;
