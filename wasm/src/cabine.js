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
  'NO_FIT_MODEL',
  'INVALID_JSON',
  'LIMIT_EXCEEDED',
  'INVALID_RULE',
  'INVALID_PROFILE',
  'INVALID_EVENT',
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

const OUTCOMES = ['kept', 'too_small', 'too_large', 'returned_other'];
// C++ names fields after the data contract's CSV columns; the JS API uses camelCase.
const FIELD_NAMES = [['height_cm', 'heightCm'], ['weight_kg', 'weightKg'], ['body_type', 'bodyType']];

function deepFreeze(value) {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function invalid(message) {
  return new CabineError('INVALID_ARGUMENT', message);
}

function checkString(value, path, { required = false } = {}) {
  if (value === undefined || value === null) {
    if (required) throw invalid(`${path} is required`);
    return;
  }
  if (typeof value !== 'string') throw invalid(`${path} must be a string, got ${describe(value)}`);
  if (required && value.trim() === '') throw invalid(`${path} must not be empty`);
}

function checkProduct(product, path) {
  if (typeof product !== 'object' || product === null || Array.isArray(product)) {
    throw invalid(`${path} must be an object like { productId, brand, category, sizeSystem, sizes }, got ${describe(product)}`);
  }
  for (const key of ['productId', 'brand', 'category', 'sizeSystem', 'name']) checkString(product[key], `${path}.${key}`);
  if (product.sizes !== undefined) {
    if (!Array.isArray(product.sizes)) throw invalid(`${path}.sizes must be an array of size labels`);
    product.sizes.forEach((label, i) => checkString(label, `${path}.sizes[${i}]`, { required: true }));
  }
  const { productId, brand, category, sizeSystem, sizes, name } = product;
  return { productId, brand, category, sizeSystem, sizes: sizes ? [...sizes] : undefined, name };
}

function checkNumber(value, path) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw invalid(`${path} must be a number, got ${describe(value)}`);
  return value;  // NaN and out-of-range values are refused by the core, which knows the limits
}

/** Validates and copies a recommendSize request into the plain shape the core reads. */
function normaliseFitRequest(request) {
  if (typeof request !== 'object' || request === null) throw invalid(`recommendSize expects a request object, got ${describe(request)}`);
  const hasId = request.productId !== undefined;
  if (hasId === (request.product !== undefined)) throw invalid('recommendSize needs exactly one of productId or product');
  let product;
  if (hasId) {
    checkString(request.productId, 'productId', { required: true });
    product = { productId: request.productId };
  } else {
    product = checkProduct(request.product, 'product');
  }
  const history = request.history ?? [];
  if (!Array.isArray(history)) throw invalid(`history must be an array, got ${describe(history)}`);
  const items = history.map((item, i) => {
    const path = `history[${i}]`;
    const copy = checkProduct(item, path);
    checkString(item.size, `${path}.size`, { required: true });
    if (!OUTCOMES.includes(item.outcome)) throw invalid(`${path}.outcome must be one of ${OUTCOMES.join(', ')}, got ${JSON.stringify(item.outcome)}`);
    return { ...copy, size: item.size, outcome: item.outcome };
  });
  let questionnaire;
  if (request.questionnaire !== undefined && request.questionnaire !== null) {
    const q = request.questionnaire;
    if (typeof q !== 'object') throw invalid(`questionnaire must be an object, got ${describe(q)}`);
    questionnaire = {
      heightCm: checkNumber(q.heightCm, 'questionnaire.heightCm'),
      weightKg: checkNumber(q.weightKg, 'questionnaire.weightKg'),
      age: checkNumber(q.age, 'questionnaire.age'),
    };
    checkString(q.bodyType, 'questionnaire.bodyType');
    checkString(q.bust, 'questionnaire.bust');
    questionnaire.bodyType = q.bodyType?.toLowerCase();
    questionnaire.bust = q.bust;
  }
  const minConfidence = checkNumber(request.minConfidence, 'minConfidence') ?? 0;
  return { product, history: items, questionnaire, minConfidence };
}

function jsFieldNames(message) {
  let out = message;
  for (const [cpp, js] of FIELD_NAMES) out = out.replaceAll(cpp, js);
  return out;
}

function toRecommendation(raw) {
  return Object.freeze({
    size: raw.size,
    confidence: raw.confidence,
    sizes: Object.freeze(raw.sizes.map((s) => Object.freeze({ ...s }))),
    reason: Object.freeze({ code: raw.reasonCode, text: raw.reasonText }),
    source: raw.source,
    flag: raw.flag,
    productOffset: raw.productOffset,
    itemsUsed: Object.freeze([...raw.itemsUsed]),
    notes: Object.freeze([...raw.notes]),
    shopperSize: Object.freeze({ mean: raw.sizeMean, sd: raw.sizeSd }),
  });
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

/** JSON text of a caller's value, or INVALID_ARGUMENT naming it (cycles, BigInt). */
function toJson(value, what) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new CabineError('INVALID_ARGUMENT', `${what} cannot be written as JSON: ${cause?.message ?? cause}`, { cause });
  }
  if (text === undefined) throw invalid(`${what} must be a JSON value, got ${describe(value)}`);
  return text;
}

const pointerToken = (key) => String(key).replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * JSON text of a rule or its data, refused early (LIMIT_EXCEEDED, with the
 * core's own wording) when it breaks the core's limits: nesting, array length
 * and size are checked here so that a hostile value is never serialised in full
 * or copied into wasm memory. The core checks them all again.
 */
function toBoundedJson(value, what, limits, maxBytes) {
  const stack = [[value, 1, '']];
  let atLeast = 0;  // a lower bound of the JSON text's size in bytes
  const tooLarge = () => new CabineError('LIMIT_EXCEEDED', `${what} is more than ${maxBytes} bytes; the limit is ${maxBytes}`);
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop();
    if (typeof v === 'string') {
      if ((atLeast += v.length + 2) > maxBytes) throw tooLarge();
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limits.maxRuleDepth) {
      throw new CabineError('LIMIT_EXCEEDED', `${what}: nesting deeper than ${limits.maxRuleDepth} levels at ${path || '/'}`);
    }
    if (Array.isArray(v)) {
      if (v.length > limits.maxArrayLength) {
        throw new CabineError('LIMIT_EXCEEDED', `${what}: an array longer than ${limits.maxArrayLength} elements at ${path || '/'}`);
      }
      if ((atLeast += 2 * v.length) > maxBytes) throw tooLarge();
      for (let i = v.length - 1; i >= 0; i--) {
        const child = v[i];
        if ((typeof child === 'object' && child !== null) || typeof child === 'string') stack.push([child, depth + 1, `${path}/${i}`]);
      }
    } else if (typeof v.toJSON !== 'function') {
      for (const key of Object.keys(v)) {
        const child = v[key];
        if ((atLeast += key.length + 4) > maxBytes) throw tooLarge();
        if ((typeof child === 'object' && child !== null) || typeof child === 'string') stack.push([child, depth + 1, `${path}/${pointerToken(key)}`]);
      }
    }
  }
  const text = toJson(value, what);
  if (text.length > maxBytes) {
    const bytes = new TextEncoder().encode(text).length;
    throw new CabineError('LIMIT_EXCEEDED', `${what} is ${bytes} bytes; the limit is ${maxBytes}`);
  }
  return text;
}

function checkNow(now, what) {
  const ms = now instanceof Date ? now.getTime() : now ?? Date.now();
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw invalid(`${what} must be a Date or milliseconds since 1970, got ${describe(now)}`);
  return ms;
}

/** What rule evaluation borrows from the page: String(number) and RegExp (see core/include/cabine/rule_host.h). */
function makeRuleHost() {
  const regexes = new Map();
  return {
    numberToString: (n) => String(n),
    regexTest(pattern, flags, subject) {
      const key = `${flags}/${pattern}`;
      let re = regexes.get(key);
      if (re === undefined) {
        try {
          re = new RegExp(pattern, flags);
        } catch (e) {
          return String(e?.message ?? e);
        }
        if (regexes.size >= 256) regexes.clear();
        regexes.set(key, re);
      }
      re.lastIndex = 0;
      return re.test(subject);
    },
  };
}

const RULE_LANGUAGES = ['jsonlogic', 'growthbook'];

class Cabine {
  #core;
  #versions;
  #rendered = new WeakMap();  // decision -> its exposure, once markRendered counted it
  #readSource;

  constructor(core, readSource) {
    this.#core = core;
    core.setHost(makeRuleHost());
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
        // Refused before reading: a picked or dropped file can be any size.
        if (source.size > this.#versions.maxModelBytes) {
          throw new CabineError('MODEL_TOO_LARGE', `the model has ${source.size} bytes; the limit is ${this.#versions.maxModelBytes}`);
        }
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

  /**
   * Suggests a size for one product from the shopper's own history and/or
   * questionnaire, with P(too small), P(fit), P(too large) for every size.
   */
  recommendSize(request) {
    const normalised = normaliseFitRequest(request);
    const raw = this.#core.recommendSize(normalised);
    if (!raw.ok) throw new CabineError(raw.code, jsFieldNames(raw.message));
    return toRecommendation(raw);
  }

  /**
   * Records one event in the on-device profile: { type, time?, productId?,
   * category?, brand?, price?, channel?, device? }. `time` defaults to now.
   */
  track(event) {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new CabineError('INVALID_EVENT', `event: must be an object like { type: 'view', productId }, got ${describe(event)}`);
    }
    const copy = { ...event, time: event.time instanceof Date ? event.time.getTime() : event.time ?? Date.now() };
    this.#check(this.#core.track(toJson(copy, 'event')));
  }

  /** Replaces the visitor's declared attributes (a JSON object; "features" is reserved). */
  setAttributes(attributes) {
    this.#check(this.#core.setAttributes(toJson(attributes, 'attributes')));
  }

  /** The profile now: { attributes, features } (features derived at this moment). */
  get profile() {
    return this.profileAt(Date.now());
  }

  /** The profile with its features derived at `now` (a Date or ms). */
  profileAt(now) {
    const raw = this.#core.profile(checkNow(now, 'now'));
    return Object.freeze({ attributes: raw.attributes, features: raw.features });
  }

  /** The profile as compact versioned JSON, for localStorage. */
  saveProfile() {
    return this.#core.saveProfile();
  }

  /**
   * Restores a saved profile. A corrupt, old-version or oversized one is
   * replaced by a fresh profile and reported with CabineError INVALID_PROFILE.
   */
  loadProfile(json) {
    if (typeof json !== 'string') {
      this.#core.forget();
      throw new CabineError('INVALID_PROFILE', `the saved profile must be a string, got ${describe(json)}; a fresh profile replaces it`);
    }
    this.#check(this.#core.loadProfile(json));
  }

  /** Forgets the visitor: attributes and behaviour. */
  forget() {
    this.#core.forget();
  }

  /**
   * Evaluates one rule against data, for QA and conformance.
   * language: 'jsonlogic' (the value of the rule) or 'growthbook' (true/false);
   * options.savedGroups serves GrowthBook's $inGroup, options.now the relative-date operators.
   */
  evaluateRule(rule, data, language = 'jsonlogic', options = {}) {
    if (!RULE_LANGUAGES.includes(language)) throw invalid(`language must be 'jsonlogic' or 'growthbook', got ${JSON.stringify(language)}`);
    if (typeof options !== 'object' || options === null) throw invalid(`options must be an object, got ${describe(options)}`);
    const limits = this.#versions;
    const groups = options.savedGroups === undefined ? '' : toBoundedJson(options.savedGroups, 'saved groups', limits, limits.maxRuleDataBytes);
    const ruleText = toBoundedJson(rule, 'rule', limits, limits.maxRuleBytes);
    const dataText = data === undefined ? '' : toBoundedJson(data, 'data', limits, limits.maxRuleDataBytes);
    const raw = this.#core.evaluateRule(ruleText, dataText, language, groups, checkNow(options.now, 'options.now'));
    this.#check(raw);
    return raw.value;
  }

  /** Every audience of the model against the visitor now (or options.now): [{ id, matched, reason }]. */
  matchAudiences(options = {}) {
    if (typeof options !== 'object' || options === null) throw invalid(`options must be an object, got ${describe(options)}`);
    const raw = this.#core.matchAudiences(checkNow(options.now, 'options.now'));
    this.#check(raw);
    return Object.freeze(raw.audiences.map((a) => Object.freeze(a)));
  }

  /**
   * The products of the model's fit section (at most options.limit, default 1000,
   * in the model's order) and the slots of its decisions section, for product
   * pickers and QA tools: { products: [{ productId, brand, category, sizeSystem,
   * sizes, flag }], productCount, slots: [{ id, contents }] }.
   */
  modelContents(options = {}) {
    if (typeof options !== 'object' || options === null) throw invalid(`options must be an object, got ${describe(options)}`);
    const limit = options.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 0 || limit > 1e6) throw invalid(`options.limit must be an integer from 0 to 1000000, got ${limit}`);
    const raw = this.#core.modelContents(limit);
    this.#check(raw);
    return deepFreeze(raw.contents);
  }

  /**
   * What the model's learned models say about the visitor now (or at options.now):
   * { propensity: {name: P}, uplift: {name: {pTreated, pControl, uplift, quadrant}}, segment, segmentConfidence }.
   */
  scores(options = {}) {
    if (typeof options !== 'object' || options === null) throw invalid(`options must be an object, got ${describe(options)}`);
    const raw = this.#core.scores(checkNow(options.now, 'options.now'));
    this.#check(raw);
    return Object.freeze({ propensity: raw.propensity, uplift: raw.uplift, segment: raw.segment, segmentConfidence: raw.segmentConfidence });
  }

  /**
   * Decides what a page slot shows this visitor: { slot, content, assignment:
   * 'treatment' | 'holdout', reason, audiences, scores, expectedGain, exposure }.
   * Emit `exposure` to analytics only once the slot has rendered: call markRendered(decision).
   */
  decide(slotId, options = {}) {
    checkString(slotId, 'slotId', { required: true });
    if (typeof options !== 'object' || options === null) throw invalid(`options must be an object, got ${describe(options)}`);
    const now = checkNow(options.now, 'options.now');
    const raw = this.#core.decide(slotId, now);
    this.#check(raw);
    return Object.freeze({
      slot: raw.slot,
      content: raw.content,
      assignment: raw.holdout ? 'holdout' : 'treatment',
      reason: raw.reason,
      audiences: Object.freeze(raw.audiences),
      scores: raw.scores,
      expectedGain: raw.expectedGain,
      exposure: Object.freeze(JSON.parse(raw.exposure)),
    });
  }

  /**
   * Reports that a decision's slot rendered: counts it against the content's
   * frequency cap (kept in the profile) and returns the exposure record for the
   * page's analytics, with the render time.
   */
  markRendered(decision, options = {}) {
    if (typeof decision !== 'object' || decision === null || typeof decision.exposure !== 'object') {
      throw invalid(`markRendered expects a decision returned by decide(), got ${describe(decision)}`);
    }
    const earlier = this.#rendered.get(decision);
    if (earlier) return earlier;  // one render per decision: a second call counts nothing
    const now = checkNow(options.now, 'options.now');
    if (decision.content !== null) this.#core.markRendered(String(decision.content), now);
    const exposure = Object.freeze({ ...decision.exposure, renderedAt: now });
    this.#rendered.set(decision, exposure);
    return exposure;
  }

  #check(raw) {
    if (!raw.ok) throw new CabineError(raw.code, raw.message);
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
