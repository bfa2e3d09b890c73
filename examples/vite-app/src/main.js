// The README's "Use it in your product page" lines, exactly (tests/browser/vite-app.test.mjs
// checks that the two stay the same, builds this app with Vite and runs it in Chromium).
// --- begin: the lines to copy ---
import { createCabine } from 'cabine';

const hint = document.querySelector('#size-hint');
try {
  const cabine = await createCabine();                  // fetches cabine-core.wasm from beside the module
  await cabine.loadModel('/models/shop.cabine');        // a bad file throws CabineError; an old model stays
  const history = JSON.parse(localStorage.getItem('cabine.history') ?? '[]');  // the shopper's own purchases
  const fit = cabine.recommendSize({ productId: 'P00042', history, minConfidence: 0.2 });
  hint.textContent = fit.size ? `We suggest ${fit.size}. ${fit.reason.text}` : 'Tell us your measurements for a size suggestion.';
} catch { hint.textContent = 'Size suggestions are unavailable right now.'; }  // the page still sells
// --- end: the lines to copy ---
document.body.dataset.ready = 'true';
