// bench/audiences: speed of the profile and rule-audience calls in the wasm
// module under node, on the demo model (7 audiences), and how fast hostile
// rules are refused. Prints one line per figure.
//
//   node bench/audiences/run.mjs        (after npm start or scripts/build + scripts/demo-model)
import { createCabine } from '../../dist/node.js';

const DEMO = new URL('../../build/demo/demo.cabine', import.meta.url);
const cabine = await createCabine();
await cabine.loadModel(DEMO);
const T0 = Date.UTC(2026, 0, 1);

function timeIt(name, fn, minMs = 1000) {
  for (let i = 0; i < 200; i++) fn(i);
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) fn(n++);
  const us = ((performance.now() - started) * 1000) / n;
  console.log(`${name.padEnd(58)} ${us.toFixed(1).padStart(8)} µs/call  (${n} calls)`);
}

cabine.setAttributes({ country: 'FR', tier: 'gold', id: 'u1' });
timeIt('track(view) ', (i) => cabine.track({ type: 'view', time: T0 + i * 1000, productId: `P${i % 300}`, category: `c${i % 9}`, brand: `b${i % 40}` }));
timeIt('profileAt(now) (features with 9 categories, 40 brands)', (i) => cabine.profileAt(T0 + i));
timeIt('matchAudiences() (7 audiences, JsonLogic and GrowthBook)', (i) => cabine.matchAudiences({ now: T0 + i }));
const saved = cabine.saveProfile();
timeIt(`saveProfile() + loadProfile() (${saved.length} B)`, () => cabine.loadProfile(cabine.saveProfile()));
const rule = { and: [{ '>=': [{ var: 'features.frequency' }, 3] }, { in: [{ var: 'country' }, ['FR', 'DE', 'IT']] }] };
timeIt('evaluateRule(jsonlogic, compiled each call)', () => cabine.evaluateRule(rule, { country: 'FR', features: { frequency: 4 } }));
timeIt('evaluateRule(growthbook, compiled each call)', () => cabine.evaluateRule({ 'features.frequency': { $gte: 3 }, country: { $in: ['FR', 'DE'] } },
  { country: 'FR', features: { frequency: 4 } }, 'growthbook'));

let deep = true;
for (let i = 0; i < 10000; i++) deep = { '!': [deep] };
for (const [name, r, d] of [['10,000-deep rule', deep, {}], ['in over 10^6 elements (data)', { in: ['x', { var: 'l' }] }, { l: new Array(1e6).fill(1) }],
  ['5 MB rule', { cat: ['x'.repeat(5 << 20)] }, {}]]) {
  const started = performance.now();
  let code;
  try { cabine.evaluateRule(r, d); } catch (e) { code = e.code; }
  console.log(`${`refuse a ${name}`.padEnd(58)} ${(performance.now() - started).toFixed(1).padStart(8)} ms  (${code})`);
}
