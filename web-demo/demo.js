// The QA page: loads the wasm and the demo model the way a product page would,
// and shows every answer Cabine gives: the model in service, size suggestions,
// the visitor's profile, audiences, learned scores and slot decisions, and a
// rule playground. Plain ES module, no external assets.
import { createCabine } from './cabine/cabine.js';

const DEMO_MODEL_URL = 'models/demo.cabine';
const HISTORY_KEY = 'cabine.demo.history';
const PROFILE_KEY = 'cabine.demo.profile';
const $ = (selector) => document.querySelector(selector);

let cabine;
let products = [];  // the model's catalogue (modelContents)
let slots = [];
let lastDecisions = new Map();

// ---------------------------------------------------------------- helpers

function formatBytes(n) {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB (${n} B)`;
}

const pct = (p) => `${(100 * p).toFixed(1)} %`;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node[k] = v;
  }
  node.append(...children);
  return node;
}

function fillRows(table, rows) {
  table.querySelector('tbody').replaceChildren(...rows.map((cells) => el('tr', {}, ...cells.map((c) => el('td', {}, String(c))))));
  table.hidden = rows.length === 0;
}

function showError(node, err) {
  node.textContent = `${err.code ?? err.name}: ${err.message}`;
  node.hidden = false;
}

function readJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (err) {
    const e = new Error(`${what} is not valid JSON: ${err.message}`);
    e.code = 'INVALID_JSON';
    throw e;
  }
}

function productLabel(p) {
  return [p.productId, p.brand, p.category].filter(Boolean).join(' · ');
}

function fillProductSelect(select, keep = true) {
  const previous = select.value;
  select.replaceChildren(...products.map((p) => el('option', { value: p.productId }, productLabel(p))));
  if (keep && products.some((p) => p.productId === previous)) select.value = previous;
}

const productById = (id) => products.find((p) => p.productId === id);

// ---------------------------------------------------------------- model panel

function showModel(info, loadMs, source) {
  const fields = { ...info, totalBytes: formatBytes(info.totalBytes), loadTime: `${loadMs.toFixed(2)} ms` };
  for (const dd of document.querySelectorAll('#model-info [data-field]')) dd.textContent = fields[dd.dataset.field];
  $('#model-info').hidden = false;
  fillRows($('#sections'), info.sections.map((s) => [s.name, s.tag, s.required ? 'yes' : 'no', s.bytes]));
  fillRows($('#metadata'), Object.entries(info.metadata));
  const status = $('#model-status');
  status.textContent = `Model “${info.id}” in service (loaded from ${source}).`;
  status.className = 'status ok';
}

async function load(source, label) {
  const error = $('#load-error');
  const status = $('#model-status');
  if (cabine.modelInfo) status.textContent = `Loading ${label}… Model “${cabine.modelInfo.id}” is in service meanwhile.`;
  const started = performance.now();
  try {
    const info = await cabine.loadModel(source);
    error.hidden = true;
    showModel(info, performance.now() - started, label);
    modelChanged();
  } catch (err) {
    const inService = cabine.modelInfo;
    error.textContent = `${label} was not loaded: ${err.code ?? err.name}: ${err.message}. `
      + (inService ? `Model “${inService.id}” stays in service.` : 'No model is in service.');
    error.hidden = false;
    if (inService) status.textContent = `Model “${inService.id}” in service.`;
  }
}

function wireFileInputs() {
  const input = $('#model-file');
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = '';  // picking the same file again loads it again
    if (file) load(file, `“${file.name}”`);
  });
  // A file dropped outside the zone must not make the browser open it instead of the page.
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (e) => e.preventDefault());
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
    if (file) load(file, `“${file.name}”`);
  });
}

// A new model in service: the catalogue and the slots come from it.
function modelChanged() {
  const contents = cabine.modelContents({ limit: 5000 });
  products = [...contents.products];
  slots = [...contents.slots];
  for (const select of [$('#fit-product'), $('#history-product'), $('#event-product')]) fillProductSelect(select);
  const noFit = $('#fit-unavailable');
  noFit.hidden = products.length > 0;
  noFit.textContent = products.length ? '' : 'The model in service has no fit section: no products to size.';
  history = history.filter((item) => productById(item.productId));
  historyProductChanged();
  showProductInfo();
  renderHistory();
  suggest();
  refreshAudiences();
}

// ---------------------------------------------------------------- fit panel

let history = loadHistory();

function loadHistory() {
  try {
    const items = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(items) ? items : [];
  } catch {
    return [];
  }
}

function saveHistory() {
  localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
}

function showProductInfo() {
  const p = productById($('#fit-product').value);
  $('#fit-product-info').textContent = p
    ? `${[p.brand, p.category].filter(Boolean).join(' ')}, ${p.sizeSystem} sizes ${p.sizes.join(' · ')}; ${FLAG_TEXT[p.flag] ?? 'fit unknown'}`
    : '';
}

function historyProductChanged() {
  const p = productById($('#history-product').value);
  const select = $('#history-size');
  select.replaceChildren(...(p?.sizes ?? []).map((s) => el('option', { value: s }, s)));
  if (p) select.selectedIndex = Math.floor(p.sizes.length / 2);
}

const OUTCOME_TEXT = { kept: 'kept', too_small: 'returned, too small', too_large: 'returned, too large', returned_other: 'returned, other reason' };

function renderHistory() {
  const list = $('#history-list');
  list.replaceChildren(...history.map((item, i) => {
    const p = productById(item.productId);
    const remove = el('button', { type: 'button', class: 'link', textContent: 'Remove' });
    remove.setAttribute('aria-label', `Remove ${item.productId} size ${item.size}`);
    remove.addEventListener('click', () => {
      history.splice(i, 1);
      saveHistory();
      renderHistory();
      suggest();
      // Keep the keyboard user in the list: the next item's button, or the add button.
      const buttons = $('#history-list').querySelectorAll('button');
      (buttons[Math.min(i, buttons.length - 1)] ?? $('#history-add')).focus();
    });
    return el('li', { dataset: { index: String(i) } }, `${p ? productLabel(p) : item.productId}, size ${item.size}: ${OUTCOME_TEXT[item.outcome]} `, remove);
  }));
  $('#history-empty').hidden = history.length > 0;
}

function questionnaire() {
  const q = {};
  const num = (id) => ($(id).value.trim() === '' ? undefined : Number($(id).value));
  const fields = { heightCm: num('#q-height'), weightKg: num('#q-weight'), age: num('#q-age') };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) q[k] = v;
  if ($('#q-body-type').value) q.bodyType = $('#q-body-type').value;
  if ($('#q-bust').value.trim()) q.bust = $('#q-bust').value.trim();
  return q;
}

const FLAG_TEXT = { runs_small: 'runs small', true_to_size: 'true to size', runs_large: 'runs large' };
const SOURCE_TEXT = { product: 'its own purchases', brand: 'its brand', category: 'its category', global: 'all products' };

function suggest() {
  const error = $('#fit-error');
  const result = $('#fit-result');
  const productId = $('#fit-product').value;
  if (!productId) {
    result.hidden = true;
    return;
  }
  const request = {
    productId,
    history: history.map(({ productId: id, size, outcome }) => ({ productId: id, size, outcome })),
    questionnaire: questionnaire(),
    minConfidence: Number($('#fit-min-confidence').value || 0),
  };
  let r;
  let micros;
  try {
    r = cabine.recommendSize(request);
    // One call is below the browser's timer resolution: after 5 warm-up calls,
    // time 20 and report the mean.
    for (let i = 0; i < 5; i++) cabine.recommendSize(request);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) cabine.recommendSize(request);
    micros = ((performance.now() - t0) * 1000) / 20;
  } catch (err) {
    result.hidden = true;
    showError(error, err);
    return;
  }
  error.hidden = true;
  result.hidden = false;
  $('#fit-size').textContent = r.size ?? 'no suggestion';
  $('#fit-confidence').textContent = `confidence ${pct(r.confidence)}`;
  $('#fit-reason-code').textContent = r.reason.code;
  $('#fit-reason-text').textContent = r.reason.text;
  $('#fit-flag').textContent = `${FLAG_TEXT[r.flag]} (offset ${r.productOffset.toFixed(2)} size steps)`;
  $('#fit-flag').dataset.flag = r.flag;
  $('#fit-source').textContent = SOURCE_TEXT[r.source] ?? r.source;
  $('#fit-shopper').textContent = `${r.shopperSize.mean.toFixed(2)} ± ${r.shopperSize.sd.toFixed(2)} on the model's internal scale for ${r.sizes.map((x) => x.size).join('–').replace(/–.*–/, '…')} sizes`;
  $('#fit-used').textContent = r.itemsUsed.length ? r.itemsUsed.map((i) => `#${i + 1}`).join(', ') : 'none';
  $('#fit-notes').textContent = r.notes.length ? r.notes.join('; ') : 'none';
  $('#fit-time').textContent = `${micros.toFixed(0)} µs per call (mean of 20)`;
  renderChart(r);
}

function renderChart(r) {
  const chart = $('#fit-chart');
  chart.setAttribute('aria-label', r.sizes.map((s) => `size ${s.size}: small ${pct(s.pSmall)}, fit ${pct(s.pFit)}, large ${pct(s.pLarge)}`).join('; '));
  chart.replaceChildren(...r.sizes.map((s) => {
    const bar = el('div', { class: 'bar' });
    for (const [cls, p] of [['small', s.pSmall], ['fit', s.pFit], ['large', s.pLarge]]) {
      const part = el('span', { class: cls, title: `${cls}: ${pct(p)}` });
      part.style.width = `${(100 * p).toFixed(2)}%`;
      bar.append(part);
    }
    const row = el('div', { class: `chart-row${s.size === r.size ? ' chosen' : ''}`, dataset: { size: s.size } },
      el('span', { class: 'chart-label' }, s.size), bar, el('span', { class: 'chart-fit' }, `fit ${pct(s.pFit)}`));
    return row;
  }));
}

function wireFit() {
  $('#history-product').addEventListener('change', historyProductChanged);
  $('#history-add').addEventListener('click', () => {
    const productId = $('#history-product').value, size = $('#history-size').value;
    if (!productId || !size) return;
    history.push({ productId, size, outcome: $('#history-outcome').value });
    saveHistory();
    renderHistory();
    suggest();
  });
  $('#history-clear').addEventListener('click', () => {
    history = [];
    saveHistory();
    renderHistory();
    suggest();
  });
  $('#fit-suggest').addEventListener('click', suggest);
  $('#fit-product').addEventListener('change', () => {
    showProductInfo();
    suggest();
  });
  for (const id of ['#fit-min-confidence', '#q-height', '#q-weight', '#q-age', '#q-body-type', '#q-bust']) {
    $(id).addEventListener('change', suggest);
  }
}

// ---------------------------------------------------------------- audience panel

function saveProfile() {
  localStorage.setItem(PROFILE_KEY, cabine.saveProfile());
}

function describeValue(v) {
  if (v === null) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (typeof v === 'object') {
    const entries = Object.entries(v).sort((a, b) => b[1] - a[1]);
    return entries.length ? entries.map(([k, s]) => `${k} ${Number(s).toFixed(2)}`).join(', ') : '—';
  }
  return String(v);
}

function refreshAudiences() {
  const error = $('#audience-error');
  try {
    const now = Date.now();
    const profile = cabine.profileAt(now);
    fillRows($('#features'), Object.entries(profile.features).map(([k, v]) => [k, describeValue(v)]));
    const matches = cabine.matchAudiences({ now });
    $('#audiences').replaceChildren(...(matches.length ? matches.map((m) => el('li', { class: m.matched ? 'matched' : 'unmatched', dataset: { id: m.id } },
      el('strong', {}, `${m.matched ? '✓' : '✗'} ${m.id}`), ` ${m.reason}`)) : [el('li', { class: 'muted' }, 'The model has no rule audiences.')]));
    const scores = cabine.scores({ now });
    $('#segment').textContent = scores.segment ? `${scores.segment} (confidence ${pct(scores.segmentConfidence)})` : '—';
    const props = Object.entries(scores.propensity);
    $('#propensities').textContent = props.length ? props.map(([n, p]) => `P(${n}) ${pct(p)}`).join(', ') : '—';
    const uplift = Object.entries(scores.uplift);
    $('#uplift').textContent = uplift.length
      ? uplift.map(([n, u]) => `${n}: ${u.quadrant.replace('_', ' ')} (uplift ${(100 * u.uplift).toFixed(1)} points; treated ${pct(u.pTreated)}, control ${pct(u.pControl)})`).join('; ')
      : '—';
    renderDecisions(now);
    error.hidden = true;
  } catch (err) {
    showError(error, err);
  }
}

function renderDecisions(now) {
  const box = $('#decisions');
  lastDecisions = new Map();
  if (!slots.length) {
    box.replaceChildren(el('p', { class: 'muted' }, 'The model has no slots.'));
    return;
  }
  box.replaceChildren(...slots.map((slot) => {
    const d = cabine.decide(slot.id, { now });
    lastDecisions.set(slot.id, d);
    const render = el('button', { type: 'button', class: 'secondary', textContent: 'Mark rendered' });
    render.setAttribute('aria-label', `Mark ${slot.id} rendered`);
    const exposure = el('code', { class: 'exposure' });
    render.addEventListener('click', () => {
      const record = cabine.markRendered(lastDecisions.get(slot.id));
      saveProfile();
      refreshAudiences();  // a frequency cap may now pass the content over
      const box = document.querySelector(`.decision[data-slot="${slot.id}"] .exposure`);
      if (box) box.textContent = `last exposure: ${JSON.stringify(record)}`;
      $('#audience-status').textContent = record.content === null
        ? `${slot.id}: nothing was eligible, so nothing rendered.`
        : `${slot.id}: “${record.content}” rendered at ${new Date(record.renderedAt).toISOString()}; the decisions were redone.`;
    });
    return el('div', { class: 'decision', dataset: { slot: slot.id } },
      el('p', {}, el('strong', {}, slot.id), ' → ', el('span', { class: 'content' }, d.content ?? 'nothing eligible'), ' ',
        el('span', { class: `badge ${d.assignment}` }, d.assignment), ' ', render),
      el('p', { class: 'reason muted' }, d.reason), exposure);
  }));
}

function fireEvent(type) {
  const p = productById($('#event-product').value);
  const event = { type, time: Date.now() };
  if (p && type !== 'session_start' && type !== 'search') {
    event.productId = p.productId;
    if (p.category) event.category = p.category;
    if (p.brand) event.brand = p.brand;
    const price = $('#event-price').value.trim();
    if ((type === 'purchase' || type === 'return') && price !== '') event.price = Number(price);
  }
  try {
    cabine.track(event);
    saveProfile();
    $('#audience-status').textContent = `Tracked ${type}${event.productId ? ` of ${event.productId}` : ''}.`;
    refreshAudiences();
  } catch (err) {
    showError($('#audience-error'), err);
  }
}

function wireAudiences() {
  for (const button of document.querySelectorAll('[data-event]')) {
    button.addEventListener('click', () => fireEvent(button.dataset.event));
  }
  $('#attributes-apply').addEventListener('click', () => {
    try {
      cabine.setAttributes(readJson($('#attributes').value, 'The attributes'));
      saveProfile();
      $('#audience-status').textContent = 'Attributes set.';
      refreshAudiences();
    } catch (err) {
      showError($('#audience-error'), err);
    }
  });
  $('#profile-forget').addEventListener('click', () => {
    cabine.forget();
    saveProfile();
    $('#attributes').value = '{}';
    history = [];
    saveHistory();
    renderHistory();
    suggest();
    $('#audience-status').textContent = 'The visitor was forgotten: attributes, behaviour and fit history cleared from this device.';
    refreshAudiences();
  });
}

function restoreProfile() {
  const saved = localStorage.getItem(PROFILE_KEY);
  if (!saved) {
    try {
      cabine.setAttributes(JSON.parse($('#attributes').value));
    } catch { /* the textarea holds valid JSON at load */ }
    return;
  }
  try {
    cabine.loadProfile(saved);
    $('#attributes').value = JSON.stringify(cabine.profile.attributes);
    $('#audience-status').textContent = `Profile restored from this browser (${saved.length} B).`;
  } catch (err) {
    $('#audience-status').textContent = `The saved profile was replaced by a fresh one: ${err.code}: ${err.message}`;
    saveProfile();
  }
}

// ---------------------------------------------------------------- rule playground

// JSON, except that numbers JSON cannot write (Infinity, NaN) read as JavaScript
// writes them, and a very long result is cut.
function showResult(value) {
  const text = typeof value === 'number' ? String(value)
    : JSON.stringify(value, (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? `__${v}__` : v)).replace(/"__(-?Infinity|NaN)__"/g, '$1');
  return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} characters in all)` : text;
}

function wireRules() {
  const out = $('#rule-result');
  $('#rule-evaluate').addEventListener('click', () => {
    try {
      const rule = readJson($('#rule-text').value, 'The rule');
      const data = readJson($('#rule-data').value || 'null', 'The data');
      const value = cabine.evaluateRule(rule, data, $('#rule-language').value);
      out.className = 'ok';
      out.textContent = `Result: ${showResult(value)}`;
    } catch (err) {
      out.className = 'error';
      out.textContent = `Error: ${err.code ?? err.name}: ${err.message}`;
    }
  });
  $('#rule-from-profile').addEventListener('click', () => {
    const profile = cabine.profileAt(Date.now());
    $('#rule-data').value = JSON.stringify({ ...profile.attributes, features: profile.features });
  });
}

// ---------------------------------------------------------------- module worker

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
  try {
    cabine = await createCabine();
  } catch (err) {
    $('#engine').textContent = `Cabine could not start: ${err.code}: ${err.message}`;
    $('#engine').className = 'error';
    return;
  }
  $('#engine').textContent = `Cabine ${cabine.version}, reads model format ${cabine.formatVersion}.`;
  wireFileInputs();
  wireFit();
  wireAudiences();
  wireRules();
  restoreProfile();
  renderHistory();
  await load(DEMO_MODEL_URL, 'the demo model');
  checkWorker();
}

main();
