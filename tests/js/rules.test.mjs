// Rule conformance through the public JS API: the official JsonLogic tests and
// GrowthBook's evalCondition cases, evaluated by the wasm core with the page's
// own String() and RegExp; and the limits on hostile rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createCabine, CabineError } from 'cabine';
import { ROOT } from './helpers.mjs';

const SUITES = `${ROOT}/../shared/suites`;
const skip = existsSync(SUITES) ? false : `${SUITES} is absent (the workplace's shared suites are not next to this checkout)`;
const cabine = await createCabine();

function errorOf(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return null;
}

test('every official JsonLogic test passes through evaluateRule', { skip }, () => {
  const cases = JSON.parse(readFileSync(`${SUITES}/jsonlogic-tests.json`, 'utf8')).filter((c) => Array.isArray(c));
  const failures = [];
  for (const [rule, data, expected] of cases) {
    let actual;
    try {
      actual = cabine.evaluateRule(rule, data, 'jsonlogic');
    } catch (err) {
      actual = `${err.code}: ${err.message}`;
    }
    try {
      assert.deepStrictEqual(actual, expected);
    } catch {
      failures.push(`${JSON.stringify(rule)} with ${JSON.stringify(data)}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
  }
  console.log(`jsonlogic-tests.json (wasm, JS host): ${cases.length - failures.length} passed, ${failures.length} failed`);
  assert.deepEqual(failures, []);
  assert.equal(cases.length, 277);
});

test("every GrowthBook evalCondition case passes through evaluateRule, saved groups included", { skip }, () => {
  const cases = JSON.parse(readFileSync(`${SUITES}/growthbook-cases.json`, 'utf8')).evalCondition;
  const failures = [];
  for (const [name, condition, attributes, expected, savedGroups] of cases) {
    let actual;
    try {
      actual = cabine.evaluateRule(condition, attributes, 'growthbook', savedGroups ? { savedGroups } : {});
    } catch (err) {
      // An unknown operator is refused when the rule is compiled; the SDK evaluates it to false.
      actual = err.code === 'INVALID_RULE' && /unknown operator/.test(err.message) ? false : `${err.code}: ${err.message}`;
    }
    if (actual !== expected) failures.push(`${name}: expected ${expected}, got ${JSON.stringify(actual)}`);
  }
  console.log(`growthbook evalCondition (wasm, JS host): ${cases.length - failures.length} passed, ${failures.length} failed`);
  assert.deepEqual(failures, []);
  assert.equal(cases.length, 248);
});

test('relative-date operators use the caller\'s now', () => {
  const now = Date.UTC(2026, 11, 3);
  const rule = { within_last_days: [{ var: 'last' }, 7] };
  assert.equal(cabine.evaluateRule(rule, { last: '2026-11-30' }, 'jsonlogic', { now }), true);
  assert.equal(cabine.evaluateRule(rule, { last: '2026-11-20' }, 'jsonlogic', { now }), false);
  assert.equal(cabine.evaluateRule({ more_than_days_ago: [{ var: 'last' }, 7] }, { last: now - 8 * 86400000 }, 'jsonlogic', { now }), true);
});

test('bad rules give INVALID_RULE or INVALID_JSON naming the place', () => {
  let err = errorOf(() => cabine.evaluateRule({ and: [true, { frobnicate: [1] }] }, {}));
  assert.ok(err instanceof CabineError);
  assert.equal(err.code, 'INVALID_RULE');
  assert.match(err.message, /unknown operator "frobnicate" at \/and\/1/);
  err = errorOf(() => cabine.evaluateRule({ age: { $gtx: 3 } }, {}, 'growthbook'));
  assert.equal(err.code, 'INVALID_RULE');
  assert.match(err.message, /\$gtx/);
  err = errorOf(() => cabine.evaluateRule({ name: { $regex: '(' } }, { name: 'x' }, 'growthbook'));
  assert.equal(err, null, 'a bad regex is no match, as in the GrowthBook SDK');
  // A pattern that backtracks exponentially would freeze the page: refused when compiled.
  const started = performance.now();
  err = errorOf(() => cabine.evaluateRule({ name: { $regex: '(a+)+$' } }, { name: `${'a'.repeat(60)}!` }, 'growthbook'));
  assert.ok(performance.now() - started < 100);
  assert.equal(err.code, 'INVALID_RULE');
  assert.equal(err.message, 'the pattern "(a+)+$" repeats a repetition, which can take exponential time; write it without nested quantifiers at /name/$regex');
  err = errorOf(() => cabine.evaluateRule({}, {}, 'cel'));
  assert.equal(err.code, 'INVALID_ARGUMENT');
  const cyclic = {};
  cyclic.self = cyclic;
  err = errorOf(() => cabine.evaluateRule({ var: 'a' }, cyclic));
  assert.equal(err.code, 'LIMIT_EXCEEDED', 'a cycle is refused as nesting too deep');
  assert.match(err.message, /^data: nesting deeper than 64 levels at \/self\/self/);
  err = errorOf(() => cabine.evaluateRule({ var: 'a' }, { a: 1n }));
  assert.equal(err.code, 'INVALID_ARGUMENT');
  assert.match(err.message, /^data cannot be written as JSON: .*BigInt/);
});

// Acceptance: each hostile rule gets an error in under 100 ms (the audiences issue's
// bound; the printed times, 5-10 ms here, are the figures in docs/benchmarks.md).
for (const [name, build, code, pattern] of [
  ['a rule nested 10,000 deep', () => {
    let rule = true;
    for (let i = 0; i < 10000; i++) rule = { '!': [rule] };
    return [rule, {}];
  }, 'LIMIT_EXCEEDED', /nesting deeper than 64 levels/],
  ['an `in` over an array of 10^6 elements (in the data)', () => [{ in: ['x', { var: 'list' }] }, { list: new Array(1e6).fill(1) }],
    'LIMIT_EXCEEDED', /data: an array longer than 100000 elements at \/list/],
  ['an `in` over an array of 10^6 elements (in the rule)', () => [{ in: ['x', new Array(1e6).fill(1)] }, {}],
    'LIMIT_EXCEEDED', /rule: an array longer than 100000 elements at \/in\/1/],
  ['a 5 MB rule', () => [{ cat: ['x'.repeat(5 * 1024 * 1024)] }, {}], 'LIMIT_EXCEEDED', /^rule is more than 1048576 bytes; the limit is 1048576$/],
]) {
  test(`${name} gets an error in under 100 ms`, () => {
    const [rule, data] = build();
    for (const language of ['jsonlogic', 'growthbook']) {
      const started = performance.now();
      const err = errorOf(() => cabine.evaluateRule(rule, data, language));
      const ms = performance.now() - started;
      console.log(`${name} (${language}): ${err?.code} in ${ms.toFixed(1)} ms`);
      assert.ok(err instanceof CabineError, `${name} must be refused`);
      assert.equal(err.code, code);
      assert.match(err.message, pattern);
      assert.ok(ms < 100, `${name} (${language}) took ${ms} ms`);
    }
    assert.equal(cabine.evaluateRule({ '==': [1, 1] }, null), true, 'the module still works afterwards');
  });
}
