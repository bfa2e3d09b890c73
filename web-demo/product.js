// The sample product page: a size suggestion beside the size picker and a
// banner and an incentive line chosen by decide(), the way a shop integrates
// Cabine. `product.html` runs Cabine on the main thread; `product.html?worker`
// runs it in a module Worker (product-worker.js), so the main thread never
// loads or runs the wasm.
const MODEL_URL = new URL('models/demo.cabine', document.baseURI).href;
const HISTORY_KEY = 'cabine.demo.history';  // the shopper's purchases, as the QA page keeps them
const PROFILE_KEY = 'cabine.demo.profile';
const PRODUCT = { productId: 'P00005', brand: 'Fjord', category: 'dress', sizeSystem: 'eu', name: 'Fjord wrap dress',
  sizes: ['32', '34', '36', '38', '40', '42', '44', '46', '48', '50'] };
const BANNERS = {
  dress_edit: 'The new dress edit is here: 40 styles picked for you',
  welcome_back: 'Welcome back: new arrivals since your last visit',
  brand_story: 'Made to fit: how Fjord cuts its dresses',
};
const INCENTIVES = {
  free_returns_voucher: 'Free returns on this order: your voucher is applied at checkout.',
  size_guide: 'Between two sizes? The size guide shows this dress’s measurements.',
};
const $ = (s) => document.querySelector(s);
// What the page would send to its analytics: exposures, once a slot has rendered.
window.cabineExposures = [];

/** Cabine on the main thread, behind the same async calls as the Worker. */
async function inPage() {
  const { createCabine } = await import('./cabine/cabine.js');
  const cabine = await createCabine();
  await cabine.loadModel(MODEL_URL);
  try {
    cabine.loadProfile(localStorage.getItem(PROFILE_KEY) ?? cabine.saveProfile());
  } catch { /* a corrupt profile is replaced by a fresh one */ }
  return {
    mode: `Cabine ${cabine.version} runs on the main thread.`,
    call: async (method, ...args) => (method === 'attributes' ? cabine.profile.attributes : cabine[method](...args)),
  };
}

/** Cabine in a module Worker: every call is a message. */
async function inWorker() {
  const worker = new Worker(new URL('./product-worker.js', import.meta.url), { type: 'module' });
  const pending = new Map();
  let next = 0;
  worker.addEventListener('message', ({ data }) => {
    const p = pending.get(data.id);
    pending.delete(data.id);
    if (data.ok) p.resolve(data.value);
    else p.reject(Object.assign(new Error(data.message), { code: data.code }));
  });
  const call = (method, ...args) => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, method, args });
  });
  const version = await call('init', MODEL_URL, localStorage.getItem(PROFILE_KEY));
  return { mode: `Cabine ${version} runs in a module Worker; the main thread never loads the wasm.`, call };
}

const OUTCOMES = new Set(['kept', 'too_small', 'too_large', 'returned_other']);

/** The stored history, without items that are not purchases (a damaged store must not cost the suggestion). */
function readHistory() {
  let items;
  try {
    items = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(items)) return [];
  return items.filter((i) => i && typeof i.productId === 'string' && typeof i.size === 'string' && OUTCOMES.has(i.outcome))
    .map(({ productId, size, outcome }) => ({ productId, size, outcome }));
}

// Real radio buttons: one Tab stop, arrow keys move between sizes.
function renderSizes(suggested) {
  $('#sizes').replaceChildren(...PRODUCT.sizes.flatMap((size) => {
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'size';
    input.value = size;
    input.id = `size-${size}`;
    input.addEventListener('change', () => {
      const button = $('#add-to-cart');
      button.disabled = false;
      button.textContent = `Add size ${size} to cart`;
    });
    const label = document.createElement('label');
    label.htmlFor = input.id;
    label.textContent = size;
    if (size === suggested) {
      label.classList.add('suggested');
      label.setAttribute('aria-label', `${size} (suggested)`);
    }
    return [input, label];
  }));
}

async function main() {
  const engine = await (new URLSearchParams(location.search).has('worker') ? inWorker() : inPage());
  $('#engine-mode').textContent = engine.mode;
  // A first-party visitor id: the holdout and the frequency caps follow it.
  const attributes = await engine.call('attributes');
  if (typeof attributes.id !== 'string') await engine.call('setAttributes', { ...attributes, id: `v-${crypto.randomUUID()}` });
  await engine.call('track', { type: 'view', productId: PRODUCT.productId, category: PRODUCT.category, brand: PRODUCT.brand });

  // The size suggestion beside the picker.
  let fit;
  try {
    fit = await engine.call('recommendSize', { product: PRODUCT, history: readHistory(), minConfidence: 0 });
  } catch {
    fit = await engine.call('recommendSize', { product: PRODUCT, minConfidence: 0 });  // without the history
  }
  renderSizes(fit.size);
  $('#size-hint').textContent = fit.size
    ? `We suggest ${fit.size} (${Math.round(fit.confidence * 100)} % confident).`
    : 'No size suggestion for this dress.';
  $('#size-why-text').textContent = fit.reason.text;
  $('#size-why').hidden = false;

  // The banner and the incentive line, decided for this visitor; the exposure
  // goes to analytics only once the slot is on screen.
  for (const [slot, node, texts] of [['home_banner', $('#banner'), BANNERS], ['pdp_incentive', $('#incentive'), INCENTIVES]]) {
    const decision = await engine.call('decide', slot);
    if (decision.content === null || !texts[decision.content]) continue;
    node.textContent = texts[decision.content];
    node.dataset.content = decision.content;
    node.hidden = false;
    window.cabineExposures.push(await engine.call('markRendered', decision));
  }
  localStorage.setItem(PROFILE_KEY, await engine.call('saveProfile'));

  $('#add-to-cart').addEventListener('click', async () => {
    const size = $('#sizes input:checked')?.value;
    await engine.call('track', { type: 'add_to_cart', productId: PRODUCT.productId, category: PRODUCT.category, brand: PRODUCT.brand });
    localStorage.setItem(PROFILE_KEY, await engine.call('saveProfile'));
    $('#cart-status').textContent = `Added size ${size} to your cart.`;
  });
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  // The page still sells: the picker works without a suggestion.
  renderSizes(null);
  $('#size-hint').textContent = 'Size suggestions are unavailable right now; the size guide lists the measurements.';
  $('#size-hint').classList.add('muted');
  $('#add-to-cart').addEventListener('click', () => {
    $('#cart-status').textContent = `Added size ${$('#sizes input:checked')?.value} to your cart.`;
  });
  document.body.dataset.ready = 'true';
  console.warn(`Cabine could not start: ${err.code ?? err.name}: ${err.message}`);
});
