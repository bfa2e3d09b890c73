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
 * - `MODEL_TOO_LARGE`: above the 16 MiB limit.
 * - `NO_MODEL`: the call needs a model and none is loaded.
 * - `INVALID_ARGUMENT`: an argument has the wrong type or value; the message names it.
 * - `NO_FIT_MODEL`: the model in service has no fit section, so it cannot suggest sizes.
 * - `WASM_LOAD_FAILED`: the WebAssembly module could not be fetched or instantiated.
 * - `MODEL_FETCH_FAILED`: the model URL or file could not be read (network error, HTTP status, missing file).
 * - `INVALID_JSON`: a rule, data or profile text is not JSON; the message gives the line and column.
 * - `LIMIT_EXCEEDED`: a rule or data breaks a limit (1 MiB rule, 8 MiB data, 64 levels of nesting,
 *   100,000 array elements, 10,000 object members, 1,000,000 evaluation steps); the message names it and where.
 * - `INVALID_RULE`: a rule is JSON but not a valid rule (an unknown operator...); the message gives its path.
 * - `INVALID_PROFILE`: a saved profile could not be loaded (corrupt, other version, over 256 KB); a fresh
 *   profile has replaced it.
 * - `INVALID_EVENT`: a tracked event has a missing, unknown or bad field; the message names it.
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
  | 'NO_FIT_MODEL'
  | 'INVALID_JSON'
  | 'LIMIT_EXCEEDED'
  | 'INVALID_RULE'
  | 'INVALID_PROFILE'
  | 'INVALID_EVENT'
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

/**
 * A product to size. Known products need only `productId`; for a product the
 * model has not seen, pass its `sizes` (and `brand`, `category`, `sizeSystem`
 * so it can borrow how its brand or category runs).
 */
export interface ProductDescription {
  productId?: string;
  brand?: string;
  category?: string;
  /** "letter", "eu", "uk", "us", "waist_length", "shoe_eu", "shoe_uk", "shoe_us" or "numeric"; inferred from the labels when absent. */
  sizeSystem?: string;
  /** The labels on offer, smallest first; at most 200. */
  sizes?: readonly string[];
  /** A display name for reason texts, e.g. "Acme Jeans". */
  name?: string;
}

/** How a purchase ended. `returned_other` is counted but says nothing about fit. */
export type FitOutcome = 'kept' | 'too_small' | 'too_large' | 'returned_other';

/** One purchase from the shopper's own history (kept on the device). */
export interface HistoryItem extends ProductDescription {
  /** The size label bought. */
  size: string;
  outcome: FitOutcome;
}

/** The short questionnaire that stands in when there is no history. All optional. */
export interface Questionnaire {
  /** 100..230 cm. */
  heightCm?: number;
  /** 25..250 kg. */
  weightKg?: number;
  /** 12..100 years. */
  age?: number;
  /** One of the model's body types (e.g. "hourglass"); unknown ones are ignored. */
  bodyType?: string;
  /** Band in inches and cup, e.g. "34d". */
  bust?: string;
}

/** What recommendSize takes: exactly one of `productId` or `product`. */
export interface FitRequest {
  productId?: string;
  product?: ProductDescription;
  /** The shopper's purchases; at most 100,000. */
  history?: readonly HistoryItem[];
  questionnaire?: Questionnaire;
  /** 0..1: below this confidence `size` is null and the reason is LOW_CONFIDENCE. Default 0. */
  minConfidence?: number;
}

/** Probabilities for one size of the product; they sum to 1. */
export interface SizeProbabilities {
  readonly size: string;
  readonly pSmall: number;
  readonly pFit: number;
  readonly pLarge: number;
}

/**
 * - `FROM_HISTORY`: the shopper's own purchases drove it.
 * - `FROM_QUESTIONNAIRE`: no usable history; the body measurements did.
 * - `FROM_POPULATION`: neither; what most shoppers take.
 * - `LOW_CONFIDENCE`: below `minConfidence`, so no suggestion.
 */
export type FitReasonCode = 'FROM_HISTORY' | 'FROM_QUESTIONNAIRE' | 'FROM_POPULATION' | 'LOW_CONFIDENCE';

export interface SizeRecommendation {
  /** The suggested size, or null when confidence is below `minConfidence`. */
  readonly size: string | null;
  /** 0..1: the probability that `size` (or the best guess) is the shopper's best size. */
  readonly confidence: number;
  /** Every size of the product, in order. */
  readonly sizes: readonly SizeProbabilities[];
  /** A stable code and a short text naming the history items used. */
  readonly reason: { readonly code: FitReasonCode; readonly text: string };
  /** How much the model knew of the product: its own data, or its brand's, category's, or nothing. */
  readonly source: 'product' | 'brand' | 'category' | 'global';
  /** How the product runs, from the same model. */
  readonly flag: 'runs_small' | 'true_to_size' | 'runs_large';
  /** The product's offset on its size scale (> 0 runs large). */
  readonly productOffset: number;
  /** Indices into `history` of the items that informed the answer. */
  readonly itemsUsed: readonly number[];
  /** Why other history items were ignored. */
  readonly notes: readonly string[];
  /** The shopper's inferred size on the product's size scale: posterior mean and standard deviation. */
  readonly shopperSize: { readonly mean: number; readonly sd: number };
}

/** A product of the model's fit section, as `modelContents` lists it. */
export interface CatalogueProduct {
  readonly productId: string;
  readonly brand: string | null;
  readonly category: string | null;
  readonly sizeSystem: string;
  /** The labels on offer, smallest first. */
  readonly sizes: readonly string[];
  /** How the product runs, from the model. */
  readonly flag: 'runs_small' | 'true_to_size' | 'runs_large' | null;
}

/** What the model in service offers: its products and its page slots. */
export interface ModelContents {
  /** At most `limit` products, in the model's order. */
  readonly products: readonly CatalogueProduct[];
  /** How many products the model has in all. */
  readonly productCount: number;
  /** The slots of the decisions section, each with its candidate content ids. */
  readonly slots: readonly { readonly id: string; readonly contents: readonly string[] }[];
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
  /**
   * Suggests a size for one product, instantly and on the device. Throws
   * CabineError: NO_MODEL, NO_FIT_MODEL, or INVALID_ARGUMENT naming the bad
   * field (a NaN, negative or absurd measurement, an unknown product without
   * sizes, a bad outcome, more than 100,000 history rows).
   */
  recommendSize(request: FitRequest): SizeRecommendation;

  /**
   * Records one event in the on-device profile. `time` defaults to now.
   * Throws INVALID_EVENT naming the bad field; the profile is then unchanged.
   */
  track(event: TrackedEvent): void;
  /** Replaces the declared attributes (a JSON object; the key "features" is reserved). */
  setAttributes(attributes: Readonly<Record<string, JsonValue>>): void;
  /** The profile with its features derived now. */
  readonly profile: Profile;
  /** The profile with its features derived at `now`. */
  profileAt(now: Date | number): Profile;
  /** The profile as compact versioned JSON, for localStorage; loadProfile(saveProfile()) restores it exactly. */
  saveProfile(): string;
  /**
   * Restores a saved profile. A corrupt, other-version or oversized one is
   * replaced by a fresh profile and reported: CabineError INVALID_PROFILE.
   */
  loadProfile(json: string): void;
  /** Forgets the visitor: attributes and behaviour. */
  forget(): void;
  /**
   * Evaluates one rule, for QA and conformance: JsonLogic gives the rule's
   * value, GrowthBook true or false. Throws INVALID_JSON, INVALID_RULE or
   * LIMIT_EXCEEDED naming the problem and where.
   */
  evaluateRule(rule: JsonValue, data?: JsonValue, language?: RuleLanguage, options?: EvaluateRuleOptions): JsonValue;
  /** Every rule audience of the model in service against the visitor, in one call. NO_MODEL before a model. */
  matchAudiences(options?: { now?: Date | number }): readonly AudienceMatch[];
  /**
   * What the model's learned models say about the visitor: propensities, uplift
   * with quadrants, segment. Empty maps and a null segment for a model without
   * learned models; NO_MODEL before a model.
   */
  scores(options?: { now?: Date | number }): ModelScores;
  /**
   * Decides what a page slot shows this visitor. Throws NO_MODEL, or
   * INVALID_ARGUMENT for an unknown slot or a model without decisions.
   */
  decide(slotId: string, options?: { now?: Date | number }): Decision;
  /**
   * The model's products (at most `limit`, default 1000) and slots, for product
   * pickers and QA tools. Throws NO_MODEL before the first load.
   */
  modelContents(options?: { limit?: number }): ModelContents;
  /**
   * Reports that the decision's slot rendered: counts it against the content's
   * frequency cap and returns the exposure record to send to analytics. A
   * decision counts once: calling it again with the same decision returns the
   * first exposure record and counts nothing.
   */
  markRendered(decision: Decision, options?: { now?: Date | number }): RenderedExposure;

  /** Current wasm memory figures. */
  memoryStats(): MemoryStats;
}

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export type EventType = 'session_start' | 'view' | 'search' | 'add_to_cart' | 'purchase' | 'return';

/** A browsing event (docs/profile.md). */
export interface TrackedEvent {
  type: EventType;
  /** Date or milliseconds since 1970; defaults to now. */
  time?: Date | number;
  productId?: string;
  category?: string;
  brand?: string;
  /** 0 to 1e9, in the shop's currency. */
  price?: number;
  /** e.g. 'web', 'app'. */
  channel?: string;
  /** e.g. 'mobile', 'desktop'. */
  device?: string;
}

/** The derived features (docs/profile.md); rules read them under `features.`. */
export interface ProfileFeatures {
  /** Days since the last purchase; null before one. */
  readonly recency_days: number | null;
  /** Purchases. */
  readonly frequency: number;
  /** Value of purchases. */
  readonly monetary: number;
  readonly average_order_value: number;
  readonly returned_value: number;
  /** Returns per purchase, 0 to 1. */
  readonly return_rate: number;
  readonly views: number;
  readonly searches: number;
  readonly add_to_carts: number;
  readonly purchases: number;
  readonly returns: number;
  readonly events: number;
  readonly sessions: number;
  /** Events in the current session. */
  readonly session_depth: number;
  readonly average_session_depth: number;
  readonly days_since_first_visit: number | null;
  readonly days_since_last_visit: number | null;
  readonly days_since_last_purchase: number | null;
  readonly channel: string | null;
  readonly device: string | null;
  /** Exponentially decayed scores (the model's half-life). */
  readonly category_affinity: Readonly<Record<string, number>>;
  readonly brand_affinity: Readonly<Record<string, number>>;
  readonly top_category: string | null;
  readonly top_brand: string | null;
}

export interface Profile {
  readonly attributes: Readonly<Record<string, JsonValue>>;
  readonly features: ProfileFeatures;
}

export type RuleLanguage = 'jsonlogic' | 'growthbook';

export interface EvaluateRuleOptions {
  /** GrowthBook saved groups for $inGroup / $notInGroup: { groupId: [values] }. */
  savedGroups?: Readonly<Record<string, readonly JsonValue[]>>;
  /** "Now" for the relative-date operators; defaults to now. */
  now?: Date | number;
}

export interface AudienceMatch {
  readonly id: string;
  readonly matched: boolean;
  /** Which conditions held, which one failed, or the evaluation error. */
  readonly reason: string;
}

export type UpliftQuadrant = 'persuadable' | 'sure_thing' | 'lost_cause' | 'sleeping_dog';

export interface UpliftScore {
  readonly pTreated: number;
  readonly pControl: number;
  /** pTreated − pControl. */
  readonly uplift: number;
  readonly quadrant: UpliftQuadrant;
}

export interface ModelScores {
  /** P(event) per propensity model. */
  readonly propensity: Readonly<Record<string, number>>;
  readonly uplift: Readonly<Record<string, UpliftScore>>;
  /** The learned segment's name, or null without a segment model. */
  readonly segment: string | null;
  readonly segmentConfidence: number;
}

/** The record a page sends to its analytics once a decided slot has rendered. */
export interface Exposure {
  readonly slot: string;
  readonly content: string | null;
  readonly assignment: 'treatment' | 'holdout';
  readonly visitorId: string;
  readonly modelId: string;
  readonly decidedAt: number;
}

export interface RenderedExposure extends Exposure {
  readonly renderedAt: number;
}

export interface Decision {
  readonly slot: string;
  /** The content to show, or null when nothing is eligible. */
  readonly content: string | null;
  /** 'holdout': the visitor is in the model's holdout share and gets the control. */
  readonly assignment: 'treatment' | 'holdout';
  /** The audiences, propensities and uplift that drove it, and what was passed over. */
  readonly reason: string;
  readonly audiences: readonly string[];
  readonly scores: ModelScores;
  /** uplift × value − cost of a chosen incentive; 0 otherwise. */
  readonly expectedGain: number;
  readonly exposure: Exposure;
}

/**
 * Creates an engine. Works with no options in a browser page, in a module
 * Worker and in node 20+. Rejects with `WASM_LOAD_FAILED` when the module
 * cannot be fetched or instantiated, `INVALID_ARGUMENT` for bad options.
 */
export declare function createCabine(options?: CabineOptions): Promise<Cabine>;
