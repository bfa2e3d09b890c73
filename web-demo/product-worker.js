// Cabine in a module Worker for the sample product page (product.html?worker):
// it answers { id, method, args } messages with { id, ok, value } or
// { id, ok: false, code, message }. Results cross to the page by structured
// clone, so they are plain objects.
import { createCabine } from './cabine/cabine.js';

let cabine;

const methods = {
  async init(modelUrl, savedProfile) {
    cabine = await createCabine();
    await cabine.loadModel(modelUrl);
    if (savedProfile) {
      try {
        cabine.loadProfile(savedProfile);
      } catch { /* a corrupt profile is replaced by a fresh one */ }
    }
    return cabine.version;
  },
  recommendSize: (request) => cabine.recommendSize(request),
  track: (event) => cabine.track(event),
  attributes: () => cabine.profile.attributes,
  setAttributes: (attributes) => cabine.setAttributes(attributes),
  decide: (slot) => cabine.decide(slot),
  markRendered: (decision) => cabine.markRendered(decision),
  saveProfile: () => cabine.saveProfile(),
};

// A decision comes back from the page as a copy, so markRendered gets the
// worker's own object, found by its exposure record.
const decisions = new Map();

self.addEventListener('message', async ({ data: { id, method, args } }) => {
  try {
    if (!Object.hasOwn(methods, method)) throw Object.assign(new Error(`unknown method ${method}`), { code: 'INVALID_ARGUMENT' });
    let value;
    if (method === 'decide') {
      value = methods.decide(...args);
      decisions.set(JSON.stringify(value.exposure), value);
    } else if (method === 'markRendered') {
      value = methods.markRendered(decisions.get(JSON.stringify(args[0].exposure)) ?? args[0]);
    } else {
      value = await methods[method](...args);
    }
    self.postMessage({ id, ok: true, value });
  } catch (err) {
    self.postMessage({ id, ok: false, code: err.code ?? err.name, message: err.message });
  }
});
