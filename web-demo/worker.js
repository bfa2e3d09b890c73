// A module Worker running Cabine off the main thread: it loads the model it is
// sent and reports the model's info.
import { createCabine } from './cabine/cabine.js';

self.addEventListener('message', async ({ data }) => {
  try {
    const started = performance.now();
    const cabine = await createCabine();
    const info = await cabine.loadModel(data.modelUrl);
    self.postMessage({ ok: true, version: cabine.version, id: info.id, ms: performance.now() - started });
  } catch (err) {
    self.postMessage({ ok: false, code: err.code ?? err.name, message: err.message });
  }
});
