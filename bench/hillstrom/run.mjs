// bench/hillstrom: uplift and propensity on real data, Hillstrom's MineThatData e-mail campaign (2008).
//
// Womens E-Mail (treated) versus No E-Mail (control), "Mens E-Mail" rows dropped; outcome `visit`;
// features recency, history, mens, womens, zip_code, newbie, channel. For each of N stratified 70/30
// splits (strata: treatment × visit; seeded, so the same splits every run and for every model) it
//   - trains Cabine's uplift and propensity models with `model-export train-uplift` and
//     `train-propensity` (both into one model file) and scores the held-out rows with `model-export score`;
//   - fits the sklearn baselines on the same files (baselines.py: two-model LR, class-transformation LR,
//     propensity LR);
// then computes every metric with one implementation (metrics.mjs): scikit-uplift's normalised Qini
// (qini_auc_score, random ≈ 0, perfect 1), uplift@30 % (uplift_at_k, strategy "overall") and the
// propensity ROC AUC, and incremental visits per 1,000 incentives when the top 30 % is targeted by
// Cabine uplift, at random and by Cabine propensity. Mean ± sd over the splits, PASS/FAIL lines against
// the Audiences II targets, and timings.
//
//   node bench/hillstrom/run.mjs [--splits 10] [--seed 1] [--method two_model|class_transformation[,...]]
//                                 [--model-file cabine|json] [--skip-cabine] [--skip-sklearn] [--keep] [--json FILE] [--strict]
//
// --method is passed to train-uplift (a comma list trains one uplift model per method); without it the
// CLI's default method is used. --model-file json writes the learned models as the CLI's JSON instead
// of a .cabine model file (also chosen automatically, with a note, when the CLI says it cannot write
// learned models into a .cabine file). --keep leaves the split directory (train/test CSVs, model files,
// predictions) in place and prints where. --strict exits 1 when a target is missed.
// Environment: CABINE_MODEL_EXPORT (the CLI; default build/bin/model-export), CABINE_PYTHON (a python
// with sklearn and pandas; default the first of python3, /usr/bin/python3 that has them).
import { readFileSync, writeFileSync, mkdtempSync, mkdirSync, rmSync, existsSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auc, qiniAucScore, upliftAtK } from './metrics.mjs';
import { csvField as esc, mulberry32, parseCsvLine } from '../../scripts/data.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const HILLSTROM_PATH = join(ROOT, '..', 'shared', 'data', 'hillstrom.csv.gz');
const CLI = process.env.CABINE_MODEL_EXPORT ?? join(ROOT, 'build', 'bin', 'model-export');
const BASELINES = join(HERE, 'baselines.py');

export const TREATMENT = 'Womens E-Mail';
export const CONTROL = 'No E-Mail';
export const FEATURES = ['recency', 'history', 'mens', 'womens', 'zip_code', 'newbie', 'channel'];
const K = 0.3;
const TRAIN_SHARE = 0.7;
const AUC_TOLERANCE = 0.005;
const REFERENCE = { response: 0.037, twoModel: '0.062–0.068', classTransformation: 0.063, spread: 0.01 };

// --- data -------------------------------------------------------------------------------------------


/** Parses a CSV text into { header, rows: string[][] }. */
export function parseCsv(text) {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  return { header: parseCsvLine(lines[0]), rows: lines.slice(1).map(parseCsvLine) };
}

/** Hillstrom rows of the two arms compared, in file order: { fields, t (1 treated), y (visit) }. */
export function loadHillstrom(path = HILLSTROM_PATH) {
  const { header, rows } = parseCsv(gunzipSync(readFileSync(path)).toString('utf8'));
  const col = Object.fromEntries(header.map((h, i) => [h, i]));
  for (const name of SPLIT_COLUMNS) if (!(name in col)) throw new Error(`${path}: no column ${name}`);
  const kept = [];
  let dropped = 0;
  for (const f of rows) {
    const segment = f[col.segment];
    if (segment !== TREATMENT && segment !== CONTROL) {
      dropped++;
      continue;
    }
    const y = Number(f[col.visit]);
    if (y !== 0 && y !== 1) throw new Error(`${path}: visit must be 0/1, got ${f[col.visit]}`);
    kept.push({ fields: f, t: segment === TREATMENT ? 1 : 0, y });
  }
  return { header, rows: kept, dropped };
}

export { mulberry32 };  // the split generator, from scripts/data.mjs (metrics.test.mjs uses it)

function shuffle(array, rand) {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [array[i], array[j]] = [array[j], array[i]];
  }
  return array;
}

const splitSeed = (seed, s) => (Math.imul(seed, 1000003) + Math.imul(s + 1, 7919)) | 0;

/**
 * Split s (0-based) of a seeded series: in each stratum treatment × outcome, round(70 %) of the rows
 * (a seeded shuffle) go to train, the rest to test. Returns row indices, each list in file order.
 */
export function stratifiedSplit(rows, seed, s, trainShare = TRAIN_SHARE) {
  const rand = mulberry32(splitSeed(seed, s));
  const strata = [[], [], [], []];
  rows.forEach((r, i) => strata[r.t * 2 + r.y].push(i));
  const train = [], test = [];
  for (const stratum of strata) {
    shuffle(stratum, rand);
    const nTrain = Math.round(stratum.length * trainShare);
    train.push(...stratum.slice(0, nTrain));
    test.push(...stratum.slice(nTrain));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

// The columns of the split files: the features, the arm and the outcomes. history_segment (a binned
// copy of history, not a feature) is left out: values such as "7) $1,000 +" need CSV quoting.
export const SPLIT_COLUMNS = [...FEATURES, 'segment', 'visit', 'conversion', 'spend'];

function writeCsv(path, header, rows, indices) {
  const cols = SPLIT_COLUMNS.map((name) => header.indexOf(name));
  const lines = [SPLIT_COLUMNS.join(',')];
  for (const i of indices) lines.push(cols.map((c) => esc(rows[i].fields[c])).join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** Reads named numeric columns of a CSV (by header), checking the row count and that values are finite. */
function readColumns(path, names, expectedRows) {
  const { header, rows } = parseCsv(readFileSync(path, 'utf8'));
  const out = {};
  for (const name of names) {
    const c = header.indexOf(name);
    if (c < 0) throw new Error(`${path}: no column ${name} (columns: ${header.join(', ')})`);
    out[name] = rows.map((f) => (f[c] === undefined || f[c].trim() === '' ? NaN : Number(f[c])));
    const bad = out[name].findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${path}: ${name} is not a finite number on data row ${bad + 1}: ${rows[bad][c]}`);
  }
  if (rows.length !== expectedRows) throw new Error(`${path}: ${rows.length} rows, expected ${expectedRows} (one per test row)`);
  return out;
}

// --- python / sklearn ---------------------------------------------------------------------------------

const hasModules = (py) => spawnSync(py, ['-c', 'import numpy, pandas, sklearn'], { stdio: 'ignore' }).status === 0;

/**
 * A python3 with numpy, pandas and sklearn: CABINE_PYTHON, else python3, else /usr/bin/python3 (the
 * Debian packages go there, whatever python3 is first on PATH). With install, as root, when none has
 * them: apt-get install -y python3-sklearn python3-pandas, saying so.
 */
export function findPython({ install = false, log = console.log } = {}) {
  const candidates = process.env.CABINE_PYTHON ? [process.env.CABINE_PYTHON] : ['python3', '/usr/bin/python3'];
  for (const py of candidates) if (hasModules(py)) return py;
  if (!install || process.env.CABINE_PYTHON) return null;
  if (process.getuid?.() !== 0) {
    log(`sklearn or pandas is missing from ${candidates.join(' and ')}, and this is not root: not installing them`);
    return null;
  }
  const apt = (args) => {
    log(`sklearn or pandas is missing: running apt-get ${args.join(' ')}`);
    return spawnSync('apt-get', args, { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  };
  if (!apt(['install', '-y', 'python3-sklearn', 'python3-pandas'])) {
    apt(['update']);
    apt(['install', '-y', 'python3-sklearn', 'python3-pandas']);
  }
  return hasModules('/usr/bin/python3') ? '/usr/bin/python3' : null;
}

// --- Cabine -------------------------------------------------------------------------------------------

function cli(args) {
  const started = performance.now();
  const r = spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw new Error(`${CLI}: ${r.error.message}`);
  if (r.status !== 0) {
    const shown = args.map((a) => (/[\s"']/.test(a) ? `'${a}'` : a)).join(' ');
    throw new Error(`model-export ${shown}\nfailed with exit ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return (performance.now() - started) / 1000;
}

// A model-export whose model format has no "learned" section yet refuses a .cabine --out with this
// advice; the harness then writes the learned models as JSON (the CLI's .json --out), saying so once.
const JSON_ADVICE = /give --out a \.json path/;
const modelFile = { ext: 'cabine', noted: false };

/** Trains uplift (one method) and propensity into one model file and scores test.csv; returns scores + times. */
function runCabine(dir, method, testRows) {
  try {
    return runCabineOnce(dir, method, testRows);
  } catch (e) {
    if (modelFile.ext !== 'cabine' || !JSON_ADVICE.test(e.message)) throw e;
    modelFile.ext = 'json';
    console.log('model-export cannot write learned models into a .cabine file yet: using a .json model file instead');
    return runCabineOnce(dir, method, testRows);
  }
}

function runCabineOnce(dir, method, testRows) {
  const tag = method ?? 'default';
  const model = join(dir, `cabine-${tag}.${modelFile.ext}`);
  const scores = join(dir, `cabine-${tag}-scores.csv`);
  const train = join(dir, 'train.csv');
  rmSync(model, { force: true });
  const upliftSeconds = cli(['train-uplift', '--data', train, '--treatment-col', 'segment', '--treatment', TREATMENT,
    '--control', CONTROL, '--outcome', 'visit', '--features', FEATURES.join(','), '--name', 'email', '--out', model,
    '--holdout', '0', ...(method ? ['--method', method] : [])]);
  const propensitySeconds = cli(['train-propensity', '--data', train, '--outcome', 'visit', '--features', FEATURES.join(','),
    '--name', 'visit', '--out', model, '--holdout', '0']);
  const scoreSeconds = cli(['score', '--model', model, '--input', join(dir, 'test.csv'), '--out', scores]);
  const cols = readColumns(scores, ['p_visit', 'uplift_email', 'p_treated_email', 'p_control_email'], testRows);
  return { uplift: cols.uplift_email, propensity: cols.p_visit, upliftSeconds, propensitySeconds, scoreSeconds,
    modelBytes: statSync(model).size };
}

// --- report ---------------------------------------------------------------------------------------------

export function meanSd(values) {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { mean: NaN, sd: NaN, min: NaN, max: NaN, n: 0 };
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, sd, min: Math.min(...v), max: Math.max(...v), n: v.length };
}

const fmt = (v, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const pm = (s, digits = 4) => (s.n ? `${fmt(s.mean, digits)} ± ${fmt(s.sd, digits)}` : '-');
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

function parseArgs(argv) {
  const flags = new Set(['skip-cabine', 'skip-sklearn', 'keep', 'strict']);
  const values = new Set(['splits', 'seed', 'method', 'json', 'model-file']);
  const opt = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (flags.has(name)) opt[name] = true;
    else if (values.has(name) && i + 1 < argv.length) opt[name] = argv[++i];
    else throw new Error(`unknown or incomplete option ${argv[i]}\nusage: node bench/hillstrom/run.mjs [--splits 10] [--seed 1] `
      + '[--method two_model|class_transformation[,...]] [--model-file cabine|json] [--skip-cabine] [--skip-sklearn] [--keep] [--json FILE] [--strict]');
  }
  const splits = Number(opt.splits ?? 10), seed = Number(opt.seed ?? 1);
  if (!Number.isInteger(splits) || splits < 1) throw new Error('--splits must be a positive integer');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  const methods = opt.method ? opt.method.split(',') : [null];
  for (const m of methods) if (m !== null && !['two_model', 'class_transformation'].includes(m)) throw new Error(`--method ${m}: two_model or class_transformation`);
  const modelExt = opt['model-file'] ?? 'cabine';
  if (!['cabine', 'json'].includes(modelExt)) throw new Error('--model-file must be cabine or json');
  return { splits, seed, methods, modelExt, skipCabine: !!opt['skip-cabine'], skipSklearn: !!opt['skip-sklearn'], keep: !!opt.keep,
    json: opt.json, strict: !!opt.strict };
}

export function main(argv = process.argv.slice(2)) {
  const opt = parseArgs(argv);
  if (!existsSync(HILLSTROM_PATH)) {
    console.log(`bench/hillstrom: skipped: ${HILLSTROM_PATH} is absent (it is in the workplace's shared/ folder)`);
    return null;
  }
  if (opt.skipCabine && opt.skipSklearn) throw new Error('--skip-cabine and --skip-sklearn together leave nothing to compare');
  if (!opt.skipCabine && !existsSync(CLI)) throw new Error(`${CLI} is missing: run scripts/build first (or --skip-cabine)`);
  modelFile.ext = opt.modelExt;
  const t0 = performance.now();
  const time = { load: 0, write: 0, sklearn: 0, cabineUplift: 0, cabinePropensity: 0, cabineScore: 0, metrics: 0 };

  let python = null;
  if (!opt.skipSklearn) {
    python = findPython({ install: true });
    if (!python) throw new Error('no python3 with numpy, pandas and sklearn (set CABINE_PYTHON, install python3-sklearn '
      + 'python3-pandas, or pass --skip-sklearn)');
  }

  let started = performance.now();
  const data = loadHillstrom();
  time.load = (performance.now() - started) / 1000;
  const nT = data.rows.filter((r) => r.t).length, nC = data.rows.length - nT;
  const rate = (t) => data.rows.filter((r) => r.t === t && r.y).length / data.rows.filter((r) => r.t === t).length;
  console.log(`Hillstrom: ${data.rows.length} rows (${nT} ${TREATMENT}, ${nC} ${CONTROL}; ${data.dropped} Mens E-Mail rows dropped) `
    + `from ${HILLSTROM_PATH}`);
  console.log(`visit rate ${(100 * rate(1)).toFixed(2)} % treated, ${(100 * rate(0)).toFixed(2)} % control; `
    + `${opt.splits} stratified ${Math.round(TRAIN_SHARE * 100)}/${Math.round((1 - TRAIN_SHARE) * 100)} splits, seed ${opt.seed}`);
  if (python) console.log(`sklearn: ${spawnSync(python, [BASELINES, '--check'], { encoding: 'utf8' }).stdout.trim()}`);
  if (!opt.skipCabine) console.log(`Cabine: ${CLI}${opt.methods[0] ? `, --method ${opt.methods.join(', ')}` : ', the CLI\'s default uplift method'}`);

  const dir = mkdtempSync(join(tmpdir(), 'cabine-hillstrom-'));
  const splits = [];
  try {
    started = performance.now();
    for (let s = 0; s < opt.splits; s++) {
      const split = stratifiedSplit(data.rows, opt.seed, s);
      const splitDir = join(dir, `split_${String(s).padStart(2, '0')}`);
      mkdirSync(splitDir);
      writeCsv(join(splitDir, 'train.csv'), data.header, data.rows, split.train);
      writeCsv(join(splitDir, 'test.csv'), data.header, data.rows, split.test);
      splits.push({ dir: splitDir, ...split });
    }
    time.write = (performance.now() - started) / 1000;

    if (python) {
      started = performance.now();
      const r = spawnSync(python, [BASELINES, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(`baselines.py failed:\n${r.stdout}\n${r.stderr}`);
      time.sklearn = (performance.now() - started) / 1000;
    }

    // Per split: the test rows' outcome and arm, and every model's scores on them.
    const perSplit = [];
    for (const [s, split] of splits.entries()) {
      const y = split.test.map((i) => data.rows[i].y), t = split.test.map((i) => data.rows[i].t);
      const uplift = {}, propensity = {};
      const rand = mulberry32(splitSeed(opt.seed, s) ^ 0x5eed);
      uplift.random = split.test.map(() => rand());
      if (python) {
        const sk = readColumns(join(split.dir, 'sklearn.csv'), ['uplift_two_model', 'uplift_class_transformation', 'p_visit'], y.length);
        uplift['sklearn two-model LR'] = sk.uplift_two_model;
        uplift['sklearn class-transformation LR'] = sk.uplift_class_transformation;
        propensity['sklearn propensity LR'] = sk.p_visit;
      }
      const extra = {};
      if (!opt.skipCabine) {
        for (const method of opt.methods) {
          const c = runCabine(split.dir, method, y.length);
          time.cabineUplift += c.upliftSeconds, time.cabinePropensity += c.propensitySeconds, time.cabineScore += c.scoreSeconds;
          uplift[`Cabine uplift${method ? ` (${method})` : ''}`] = c.uplift;
          if (!propensity['Cabine propensity']) propensity['Cabine propensity'] = c.propensity, extra.modelBytes = c.modelBytes;
          process.stdout.write(`split ${s}: Cabine${method ? ` ${method}` : ''} trained and scored `
            + `(${(c.upliftSeconds + c.propensitySeconds + c.scoreSeconds).toFixed(1)} s)\n`);
        }
      }
      started = performance.now();
      const result = { qini: {}, upliftAt30: {}, auc: {}, ate: (mean(y, t, 1) - mean(y, t, 0)) };
      // Ranking by propensity is the "response model" reference for the uplift metrics.
      for (const [name, scores] of [...Object.entries(uplift), ...Object.entries(propensity)]) {
        result.qini[name] = qiniAucScore(y, scores, t);
        result.upliftAt30[name] = upliftAtK(y, scores, t, K, 'overall');
      }
      for (const [name, scores] of Object.entries(propensity)) result.auc[name] = auc(scores, y);
      time.metrics += (performance.now() - started) / 1000;
      perSplit.push({ split: s, trainRows: split.train.length, testRows: split.test.length, ...extra, ...result });
    }

    return report(opt, perSplit, time, t0);
  } finally {
    if (opt.keep) console.log(`\nsplit files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function mean(y, t, arm) {
  let n = 0, s = 0;
  for (let i = 0; i < y.length; i++) if (t[i] === arm) n++, s += y[i];
  return s / n;
}

function report(opt, perSplit, time, t0) {
  const summary = (metric, name) => meanSd(perSplit.map((p) => p[metric][name]));
  const rank = (n) => (n.startsWith('Cabine uplift') ? 0 : n === 'random' ? 4 : n in perSplit[0].auc ? 3 - n.startsWith('Cabine') : 1);
  const upliftNames = Object.keys(perSplit[0].qini).sort((a, b) => rank(a) - rank(b));
  const cabineUplift = upliftNames.filter((n) => n.startsWith('Cabine uplift'));
  const propensityNames = Object.keys(perSplit[0].auc);
  const label = (n) => (propensityNames.includes(n) ? `${n} (response model)` : n === 'random' ? 'random order' : n);
  const w = Math.max(...upliftNames.map((n) => label(n).length)) + 2;
  const rows0 = perSplit[0];
  console.log(`\n${perSplit.length} splits, ${rows0.trainRows} train / ${rows0.testRows} held-out rows each. Mean ± sd over splits [min, max]:`);
  console.log(`\n${pad('ranking by', w)}${lpad('Qini (sklift, normalised)', 36)}${lpad('uplift@30 %', 22)}`);
  for (const n of upliftNames) {
    const q = summary('qini', n), u = summary('upliftAt30', n);
    console.log(`${pad(label(n), w)}${lpad(`${pm(q)} [${fmt(q.min)}, ${fmt(q.max)}]`, 36)}${lpad(pm(u), 22)}`);
  }
  console.log(`references (other splits): response model ${REFERENCE.response}, two-model LR ${REFERENCE.twoModel}, `
    + `class transformation ${REFERENCE.classTransformation}; ±${REFERENCE.spread} between splits`);

  if (propensityNames.length) {
    console.log(`\n${pad('propensity for visit (all train rows)', w)}${lpad('ROC AUC', 22)}`);
    for (const n of propensityNames) console.log(`${pad(n, w)}${lpad(pm(summary('auc', n)), 22)}`);
  }

  // Incremental visits per 1,000 incentives when the top 30 % is targeted: uplift@30 % × 1000.
  console.log('\nincremental visits per 1,000 incentives, top 30 % of held-out rows targeted:');
  const per1000 = (name) => meanSd(perSplit.map((p) => p.upliftAt30[name] * 1000));
  const targeting = [...cabineUplift.map((n) => [`by ${n}`, n]), ['random targeting', 'random'],
    ...(propensityNames.includes('Cabine propensity') ? [['by Cabine propensity', 'Cabine propensity']] : []),
    ...upliftNames.filter((n) => n.startsWith('sklearn')).map((n) => [`by ${n}`, n])];
  const tw = Math.max(...targeting.map(([l]) => l.length)) + 2;
  for (const [l, n] of targeting) console.log(`  ${pad(l, tw)}${lpad(pm(per1000(n), 1), 14)}`);
  console.log(`  ${pad('everyone (held-out treated − control)', tw)}${lpad(pm(meanSd(perSplit.map((p) => p.ate * 1000)), 1), 14)}`);

  // Targets.
  const verdicts = [];
  const skTwo = 'sklearn two-model LR', skCt = 'sklearn class-transformation LR';
  if (cabineUplift.length && upliftNames.includes(skTwo)) {
    const best = Math.max(summary('qini', skTwo).mean, summary('qini', skCt).mean);
    for (const n of cabineUplift) {
      const q = summary('qini', n).mean;
      // "At" is judged at the 4 decimals the issue quotes its Qini figures in (the spread between
      // splits is ±0.01); the exact difference is printed beside it.
      const at = Math.round(q * 1e4) >= Math.round(best * 1e4);
      verdicts.push([at, `Qini at or above the best sklearn baseline (compared at 4 decimals): ${n} ${fmt(q)} vs ${fmt(best)} `
        + `(exact difference ${q >= best ? '+' : ''}${(q - best).toExponential(1)})`]);
    }
  } else {
    console.log('\nQini target not judged: needs Cabine uplift and the sklearn baselines');
  }
  if (propensityNames.includes('Cabine propensity') && propensityNames.includes('sklearn propensity LR')) {
    const c = summary('auc', 'Cabine propensity').mean, s = summary('auc', 'sklearn propensity LR').mean;
    verdicts.push([c >= s - AUC_TOLERANCE, `propensity AUC within ${AUC_TOLERANCE} of sklearn LR (or above): Cabine ${fmt(c)} vs ${fmt(s)} `
      + `(${c >= s ? '+' : ''}${fmt(c - s, 5)})`]);
  } else {
    console.log('AUC target not judged: needs Cabine propensity and the sklearn baseline');
  }
  for (const n of cabineUplift) {
    const c = per1000(n).mean, r = per1000('random').mean, p = per1000('Cabine propensity').mean;
    console.log(`targeting: ${n} ${fmt(c, 1)} incremental visits per 1,000 vs random ${fmt(r, 1)} and propensity ${fmt(p, 1)}`);
  }
  if (verdicts.length) console.log('');
  for (const [ok, text] of verdicts) console.log(`${ok ? 'PASS' : 'FAIL'} ${text}`);

  const total = (performance.now() - t0) / 1000;
  console.log(`\ntime: ${total.toFixed(1)} s in all; load ${time.load.toFixed(1)} s, split files ${time.write.toFixed(1)} s, `
    + (opt.skipSklearn ? '' : `sklearn ${time.sklearn.toFixed(1)} s, `)
    + (opt.skipCabine ? '' : `Cabine train-uplift ${time.cabineUplift.toFixed(1)} s + train-propensity `
      + `${time.cabinePropensity.toFixed(1)} s + score ${time.cabineScore.toFixed(1)} s (all splits${opt.methods.length > 1 ? ', all methods' : ''}), `)
    + `metrics ${time.metrics.toFixed(1)} s`
    + (perSplit[0].modelBytes ? `; Cabine model file (.${modelFile.ext}) ${perSplit[0].modelBytes} B` : ''));

  const result = { date: new Date().toISOString(), options: opt, perSplit, time: { ...time, total }, verdicts: verdicts.map(([ok, text]) => ({ ok, text })) };
  if (opt.json) writeFileSync(opt.json, `${JSON.stringify(result, null, 1)}\n`);
  if (opt.strict && verdicts.some(([ok]) => !ok)) process.exitCode = 1;
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
