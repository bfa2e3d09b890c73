// The QA page: loads the wasm and the demo model the way a product page would,
// and shows what Cabine reports. Plain ES module, no external assets.
import { createCabine } from './cabine/cabine.js';

const DEMO_MODEL_URL = 'models/demo.cabine';
const $ = (selector) => document.querySelector(selector);

function formatBytes(n) {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB (${n} B)`;
}

function fillRows(table, rows) {
  const body = table.querySelector('tbody');
  body.replaceChildren(
    ...rows.map((cells) => {
      const tr = document.createElement('tr');
      for (const cell of cells) {
        const td = document.createElement('td');
        td.textContent = String(cell);
        tr.append(td);
      }
      return tr;
    }),
  );
  table.hidden = rows.length === 0;
}

function showModel(info, loadMs, source) {
  const fields = { ...info, totalBytes: formatBytes(info.totalBytes), loadTime: `${loadMs.toFixed(2)} ms` };
  for (const dd of document.querySelectorAll('#model-info [data-field]')) {
    dd.textContent = fields[dd.dataset.field];
  }
  $('#model-info').hidden = false;
  fillRows($('#sections'), info.sections.map((s) => [s.name, s.tag, s.required ? 'yes' : 'no', s.bytes]));
  fillRows($('#metadata'), Object.entries(info.metadata));
  const status = $('#model-status');
  status.textContent = `Model “${info.id}” in service (loaded from ${source}).`;
  status.className = 'status ok';
}

async function load(cabine, source, label) {
  const error = $('#load-error');
  const started = performance.now();
  try {
    const info = await cabine.loadModel(source);
    error.hidden = true;
    showModel(info, performance.now() - started, label);
  } catch (err) {
    const inService = cabine.modelInfo;
    error.textContent =
      `${label} was not loaded: ${err.code ?? err.name}: ${err.message}. ` +
      (inService ? `Model “${inService.id}” stays in service.` : 'No model is in service.');
    error.hidden = false;
  }
}

function wireFileInputs(cabine) {
  const input = $('#model-file');
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) load(cabine, file, `“${file.name}”`);
  });
  const zone = $('#drop-zone');
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files?.[0];
    if (file) load(cabine, file, `“${file.name}”`);
  });
}

function checkWorker() {
  const status = $('#worker-status');
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.addEventListener('message', ({ data }) => {
    if (data.ok) {
      status.textContent = `Cabine ${data.version} in a module Worker loaded model “${data.id}” in ${data.ms.toFixed(2)} ms.`;
      status.className = 'status ok';
    } else {
      status.textContent = `The Worker failed: ${data.code}: ${data.message}`;
      status.className = 'status error';
    }
    worker.terminate();
  });
  worker.postMessage({ modelUrl: new URL(DEMO_MODEL_URL, document.baseURI).href });
}

async function main() {
  let cabine;
  try {
    cabine = await createCabine();
  } catch (err) {
    $('#engine').textContent = `Cabine could not start: ${err.code}: ${err.message}`;
    $('#engine').className = 'error';
    return;
  }
  $('#engine').textContent = `Cabine ${cabine.version}, reads model format ${cabine.formatVersion}.`;
  wireFileInputs(cabine);
  await load(cabine, DEMO_MODEL_URL, 'the demo model');
  checkWorker();
}

main();
