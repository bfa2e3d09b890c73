// What the benchmarks, the demo data and the tests share for their data: CSV
// (RFC 4180 quoting: "" inside a quoted field, comma-separated, one record per
// line) and seeded random numbers.

/** The fields of one CSV line. */
export function parseCsvLine(line) {
  const out = [];
  let field = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') field += '"', i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(field), field = '';
    else field += c;
  }
  out.push(field);
  return out;
}

/** A field quoted when it needs to be. */
export const csvField = (v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** mulberry32: a small seeded generator in [0, 1), the same on every machine. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
