// A sample consumer of the public API, type-checked with `tsc --strict`
// (tests/js/types.test.mjs). The @ts-expect-error lines prove the types are
// tight: if a declaration loosened to `any`, tsc would flag them as unused.
import { createCabine, CabineError, ERROR_CODES } from 'cabine';
import type { AudienceMatch, Cabine, CabineOptions, ErrorCode, JsonValue, ModelInfo, ModelSource, SectionInfo, MemoryStats } from 'cabine';

async function productPage(modelBytes: Uint8Array): Promise<string> {
  const options: CabineOptions = { wasmUrl: '/assets/cabine-core.wasm' };
  const cabine: Cabine = await createCabine(options);
  let info: ModelInfo;
  try {
    info = await cabine.loadModel(modelBytes);
  } catch (err) {
    if (err instanceof CabineError) {
      const code: ErrorCode = err.code;
      return `${code}: ${err.message}`;
    }
    throw err;
  }
  const sizes: number[] = info.sections.map((s: SectionInfo) => s.bytes);
  const current: ModelInfo | null = cabine.modelInfo;
  const stats: MemoryStats = cabine.memoryStats();
  const source: ModelSource = new URL('https://shop.example/model.cabine');
  await cabine.loadModel(source);
  await cabine.loadModel('/models/shop.cabine');
  await cabine.loadModel(new ArrayBuffer(8));
  const codes: readonly ErrorCode[] = ERROR_CODES;
  return `${info.id} ${info.formatVersion} ${info.createdAt} ${sizes.join()} ${current?.id} ${stats.heapBytesInUse} ${codes.length} ${cabine.version}`;
}

async function misuse(cabine: Cabine): Promise<void> {
  // @ts-expect-error: a number is not a model source
  await cabine.loadModel(42);
  // @ts-expect-error: modelInfo is read-only
  cabine.modelInfo = null;
  // @ts-expect-error: codes are a closed set
  const code: ErrorCode = 'SOMETHING_ELSE';
  // @ts-expect-error: modelInfo may be null
  const id: string = cabine.modelInfo.id;
  // @ts-expect-error: wasmBinary must be bytes
  await createCabine({ wasmBinary: 'cabine-core.wasm' });
  void code;
  void id;
}

function audiences(cabine: Cabine): string {
  cabine.track({ type: 'view', productId: 'P1', category: 'dress', price: 49.9 });
  cabine.track({ type: 'purchase', time: new Date(), price: 10 });
  cabine.setAttributes({ country: 'FR', tier: 'gold', styles: ['boho'] });
  const recency: number | null = cabine.profile.features.recency_days;
  const saved: string = cabine.saveProfile();
  cabine.loadProfile(saved);
  const matched: boolean = cabine.evaluateRule({ '>': [{ var: 'features.frequency' }, 2] }, cabine.profile as unknown as JsonValue) === true;
  const gb = cabine.evaluateRule({ id: { $inGroup: 'staff' } }, { id: 'u1' }, 'growthbook', { savedGroups: { staff: ['u1'] } });
  const ids = cabine.matchAudiences({ now: Date.now() }).filter((a: AudienceMatch) => a.matched).map((a) => a.id);
  cabine.forget();
  return `${recency} ${matched} ${String(gb)} ${ids.join()} ${cabine.profileAt(0).features.top_category}`;
}

function audienceMisuse(cabine: Cabine): void {
  // @ts-expect-error: not an event type
  cabine.track({ type: 'click' });
  // @ts-expect-error: only the two rule languages
  cabine.evaluateRule({}, {}, 'cel');
  // @ts-expect-error: a saved profile is a string
  cabine.loadProfile({});
  // @ts-expect-error: matched is read-only
  cabine.matchAudiences()[0].matched = true;
}

void productPage;
void misuse;
void audiences;
void audienceMisuse;

function decisions(cabine: Cabine): string {
  const d = cabine.decide('home_banner', { now: new Date() });
  const content: string | null = d.content;
  const exposure = cabine.markRendered(d);
  const quadrant = cabine.scores().uplift['email']?.quadrant;
  // @ts-expect-error: assignment is a closed set
  const bad: typeof d.assignment = 'control';
  void bad;
  return `${content} ${exposure.renderedAt} ${d.assignment} ${quadrant}`;
}
void decisions;

function contents(cabine: Cabine): string {
  const c = cabine.modelContents({ limit: 50 });
  const first = c.products[0];
  const flag: 'runs_small' | 'true_to_size' | 'runs_large' | null = first?.flag ?? null;
  // @ts-expect-error: the lists are read-only
  c.products.push(first);
  return `${c.productCount} ${first?.sizes.join('|')} ${flag} ${c.slots.map((s) => s.contents.length).join()}`;
}
void contents;
