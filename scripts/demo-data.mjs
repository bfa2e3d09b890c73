// The demo model's audience data (scripts/demo-model): a seeded synthetic
// visitor event log with a randomised e-mail campaign, turned into training rows
// by `model-export features`, the browser's own profile code.
//
//   node scripts/demo-data.mjs --out DIR [--customers 4000] [--seed 2026]
//
// Writes DIR/events.jsonl (every visitor's events up to 30 days after the
// cutoff), DIR/features.csv (the derived features at the cutoff, with the label
// "a purchase within 30 days") and DIR/campaign.csv (the same rows with the
// campaign arm, `mail` or `none`, assigned at random per visitor).
//
// Four kinds of visitor, so that the uplift model has something to find:
//   - loyal: frequent sessions and purchases; buy again with or without mail (sure things);
//   - browser: many views and carts, few purchases; the mail tips them over (persuadables);
//   - lapsed: a few visits long ago; rarely buy either way (lost causes);
//   - returner: buy and return a lot; the mail puts them off (sleeping dogs).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 as random } from './data.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = process.env.CABINE_MODEL_EXPORT ?? join(ROOT, 'build', 'bin', 'model-export');
const DAY = 86400000;
export const CUTOFF = Date.UTC(2026, 10, 1);  // 2026-11-01: features at this moment, label in the 30 days after
const CATEGORIES = ['dress', 'jeans', 'tops', 'shoes', 'coats'];
const BRANDS = ['Acme', 'Norda', 'Lumen', 'Vera', 'Oak'];

// kind: share, sessions (mean), views per session, P(cart | view), P(purchase | cart),
// P(return | purchase), days back the activity spans, P(buy in the 30 days) without / with the mail.
const KINDS = {
  loyal: { share: 0.25, sessions: 9, views: 5, cart: 0.3, buy: 0.6, ret: 0.1, span: 90, base: 0.55, mail: 0.58 },
  browser: { share: 0.35, sessions: 6, views: 8, cart: 0.2, buy: 0.12, ret: 0.1, span: 60, base: 0.12, mail: 0.32 },
  lapsed: { share: 0.25, sessions: 1.5, views: 3, cart: 0.1, buy: 0.3, ret: 0.1, span: 200, base: 0.03, mail: 0.04 },
  returner: { share: 0.15, sessions: 5, views: 4, cart: 0.35, buy: 0.6, ret: 0.7, span: 90, base: 0.3, mail: 0.16 },
};

function poisson(rnd, mean) {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rnd(); p > limit; p *= rnd()) k++;
  return k;
}

/** Every visitor's events (time-ordered) and campaign arm. */
export function generate({ customers = 4000, seed = 2026 } = {}) {
  const rnd = random(seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const kinds = Object.entries(KINDS);
  const events = [];
  const arms = [];
  for (let c = 0; c < customers; c++) {
    const id = `c${String(c).padStart(5, '0')}`;
    let u = rnd(), kindName = kinds[kinds.length - 1][0];
    for (const [name, k] of kinds) {
      if (u < k.share) { kindName = name; break; }
      u -= k.share;
    }
    const kind = KINDS[kindName];
    const favourite = pick(CATEGORIES), brand = pick(BRANDS);
    const channel = rnd() < 0.6 ? 'web' : 'app', device = rnd() < 0.55 ? 'mobile' : 'desktop';
    const sessions = Math.max(1, poisson(rnd, kind.sessions));
    const starts = Array.from({ length: sessions }, () => CUTOFF - Math.floor(rnd() * kind.span * DAY) - 3600000).sort((a, b) => a - b);
    for (const start of starts) {
      let t = start;
      const push = (e) => events.push({ customerId: id, time: (t += 20000 + Math.floor(rnd() * 120000)), channel, device, ...e });
      push({ type: 'session_start' });
      if (rnd() < 0.3) push({ type: 'search' });
      const views = 1 + poisson(rnd, kind.views - 1);
      for (let v = 0; v < views; v++) {
        const category = rnd() < 0.6 ? favourite : pick(CATEGORIES);
        const item = { productId: `P${String(1 + Math.floor(rnd() * 120)).padStart(5, '0')}`, category, brand: rnd() < 0.5 ? brand : pick(BRANDS) };
        push({ type: 'view', ...item });
        if (rnd() < kind.cart) {
          push({ type: 'add_to_cart', ...item });
          if (rnd() < kind.buy) {
            const price = 20 + Math.round(rnd() * 18000) / 100;
            push({ type: 'purchase', ...item, price });
            if (rnd() < kind.ret) events.push({ customerId: id, type: 'return', time: Math.min(t + (2 + Math.floor(rnd() * 10)) * DAY, CUTOFF - 1000), ...item, price });
          }
        }
      }
    }
    // The campaign: a random half gets the mail at the cutoff; the label is a purchase in the 30 days after.
    const mailed = rnd() < 0.5;
    arms.push([id, mailed ? 'mail' : 'none']);
    if (rnd() < (mailed ? kind.mail : kind.base)) {
      events.push({ customerId: id, type: 'purchase', time: CUTOFF + Math.floor(rnd() * 29 * DAY), category: favourite, brand, price: 60, channel, device });
    }
  }
  events.sort((a, b) => a.time - b.time);
  return { events, arms };
}

function main(argv) {
  const opt = { customers: 4000, seed: 2026 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!['out', 'customers', 'seed'].includes(name) || argv[i + 1] === undefined) {
      throw new Error(`unknown or incomplete option ${argv[i]}\nusage: node scripts/demo-data.mjs --out DIR [--customers 4000] [--seed 2026]`);
    }
    opt[name] = name === 'out' ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (!opt.out) throw new Error('--out DIR is required');
  if (!Number.isInteger(opt.customers) || opt.customers < 10) throw new Error('--customers must be an integer of at least 10');
  mkdirSync(opt.out, { recursive: true });
  const { events, arms } = generate(opt);
  writeFileSync(join(opt.out, 'events.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  console.log(`demo-data: ${events.length} events of ${opt.customers} visitors, cutoff ${new Date(CUTOFF).toISOString()}`);
  const features = join(opt.out, 'features.csv');
  const r = spawnSync(CLI, ['features', '--events', join(opt.out, 'events.jsonl'), '--at', String(CUTOFF), '--label', 'purchase',
    '--label-days', '30', '--format', 'csv', '--out', features], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`model-export features failed (${r.status}):\n${r.stdout}${r.stderr}`);
  process.stdout.write(r.stdout);
  // Add the arm to each row (rows are keyed by customer_id, the first column).
  const arm = new Map(arms);
  const [head, ...rows] = readFileSync(features, 'utf8').trimEnd().split('\n');
  const out = [`${head},arm`, ...rows.map((row) => `${row},${arm.get(row.slice(0, row.indexOf(',')))}`)];
  writeFileSync(join(opt.out, 'campaign.csv'), `${out.join('\n')}\n`);
  console.log(`demo-data: ${rows.length} training rows with the campaign arm in ${join(opt.out, 'campaign.csv')}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`demo-data: ${err.message}`);
    process.exit(1);
  }
}
