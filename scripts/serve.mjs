// A small static server for the demo and the browser tests. It serves only
// the project's own files, with the strict Content-Security-Policy a product
// page would use:
//   /            -> web-demo/
//   /cabine/     -> dist/        (the npm package files)
//   /models/     -> build/demo/  (models written by model-export)
// Run directly: node scripts/serve.mjs  (PORT env, default 8080; the next free port if busy)
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

const MOUNTS = [
  ['/cabine/', join(root, 'dist')],
  ['/models/', join(root, 'build', 'demo')],
  ['/', join(root, 'web-demo')],
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.cabine': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8',
};

function resolvePath(urlPath, mounts) {
  for (const [prefix, dir] of mounts) {
    if (!urlPath.startsWith(prefix)) continue;
    let rel = decodeURIComponent(urlPath.slice(prefix.length));
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(dir, rel));
    if (file !== dir && !file.startsWith(dir + sep)) return null;  // no escaping the mount
    return file;
  }
  return null;
}

async function handle(req, res, mounts) {
  const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  let file;
  try {
    file = resolvePath(new URL(req.url, 'http://localhost').pathname, mounts);
  } catch {
    file = null;
  }
  try {
    if (file === null || !(await stat(file)).isFile()) throw new Error('not found');
    const body = await readFile(file);
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
  }
}

/**
 * Starts the server; resolves to {server, url}. port 0 picks a free port.
 * `mounts` ([[url prefix, absolute directory], ...], first match wins) replaces
 * the demo's, e.g. to serve a built example app with the same CSP.
 */
export function startServer({ port = 8080, host = '127.0.0.1', tries = 20, mounts = MOUNTS } = {}) {
  return new Promise((resolvePromise, reject) => {
    const server = createServer((req, res) => {
      handle(req, res, mounts).catch(() => res.writeHead(500).end());
    });
    server.on('error', (err) => {
      if (err.code === 'EADDRINUSE' && port !== 0 && tries > 1) {
        startServer({ port: port + 1, host, tries: tries - 1, mounts }).then(resolvePromise, reject);
      } else {
        reject(err);
      }
    });
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({ server, url: `http://${host}:${actual}/` });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startServer({ port: Number(process.env.PORT ?? 8080) });
  console.log(`Cabine demo: ${url}  (Ctrl+C to stop)`);
}
