import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { type Duplex, pipeline } from 'node:stream';
import tls from 'node:tls';
import zlib, { gzipSync } from 'node:zlib';

export interface MiniappServerOptions {
  /** The Vite build output (index.html + assets/). */
  distDir: string;
  /** Where `/api/*` goes, e.g. http://127.0.0.1:3000 */
  apiUrl: string;
  /** Where `/ws` goes, e.g. http://127.0.0.1:3001 (ws:// and wss:// also accepted). */
  gatewayUrl: string;
}

/**
 * The origins the build talks to besides its own (VITE_API_URL / VITE_GATEWAY_URL, when the API or gateway live
 * elsewhere): the build writes them to `connect-origins.json` (vite.config.mts) for the CSP's connect-src.
 */
export const CONNECT_ORIGINS_FILE = 'connect-origins.json';

function builtConnectOrigins(distDir: string): string[] {
  let listed: unknown;
  try {
    listed = JSON.parse(readFileSync(path.join(distDir, CONNECT_ORIGINS_FILE), 'utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(listed)) return [];
  const origins: string[] = [];
  for (const entry of listed) {
    try {
      origins.push(new URL(String(entry)).origin);
    } catch {
      // Not a URL: nothing to allow.
    }
  }
  return origins;
}

/**
 * The SHA-256 (base64) of each inline script of the built index.html (the boot script that starts the first API
 * reads): the CSP allows those and no other inline script. Read once, when the server is created.
 */
export function inlineScriptHashes(distDir: string): string[] {
  let html: string;
  try {
    html = readFileSync(path.join(distDir, 'index.html'), 'utf8');
  } catch {
    return [];
  }
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\bsrc\s*=/i.test(match[1] ?? '') || !match[2]) continue;
    hashes.push(createHash('sha256').update(match[2]).digest('base64'));
  }
  return hashes;
}

/** Telegram's web clients, which show a Mini App in an iframe; no one else may frame it. */
export const TELEGRAM_WEB_ORIGINS = [
  'https://web.telegram.org',
  'https://*.web.telegram.org',
  'https://webk.telegram.org',
  'https://webz.telegram.org',
] as const;

/**
 * The headers of everything this server answers itself. The CSP lets the built app run (its own scripts,
 * styles, blob: images) and nothing injected; `style-src 'unsafe-inline'` because Telegram's web-app script
 * adds a <style> for the web client's theme. No X-Frame-Options: it cannot name Telegram's origins.
 */
function securityHeaders(
  connectOrigins: readonly string[],
  scriptHashes: readonly string[],
): Record<string, string> {
  const connect = ["'self'", ...new Set(connectOrigins)];
  const csp = [
    "default-src 'self'",
    ["script-src 'self'", ...scriptHashes.map((h) => `'sha256-${h}'`)].join(' '),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${TELEGRAM_WEB_ORIGINS.join(' ')}`,
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * `_headers` for a static host (Netlify's and Cloudflare Pages' format; the rules to copy into Render's static
 * site headers): the same CSP (with the boot script's hash), nosniff and referrer policy this server sends,
 * hashed assets immutable, the page revalidated. `pnpm build` writes it to dist/ (write-static-headers.ts).
 */
export function staticHostHeaders(distDir: string): string {
  const security = securityHeaders(builtConnectOrigins(distDir), inlineScriptHashes(distDir));
  const names: Record<string, string> = {
    'content-security-policy': 'Content-Security-Policy',
    'x-content-type-options': 'X-Content-Type-Options',
    'referrer-policy': 'Referrer-Policy',
  };
  const rule = (path: string, headers: [string, string][]) =>
    [path, ...headers.map(([name, value]) => `  ${name}: ${value}`)].join('\n');
  return `${[
    rule(
      '/*',
      Object.entries(security).map(([name, value]) => [names[name] ?? name, value]),
    ),
    rule('/assets/*', [['Cache-Control', IMMUTABLE]]),
    rule('/', [['Cache-Control', 'no-cache']]),
    rule('/index.html', [['Cache-Control', 'no-cache']]),
  ].join('\n\n')}\n`;
}

/** The paths the public origin never forwards, compared as the API would route them. */
const NOT_FORWARDED = new Set(['/api/v1/metrics']);

/** The path as a router would see it: decoded, `.`/`..` and repeated slashes resolved, lower case. */
function routedPath(pathname: string): string {
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // Left as sent: the API answers 400 for it.
  }
  const normalized = path.posix.normalize(decoded.replace(/\/+/g, '/')).replace(/\/+$/, '');
  return normalized.toLowerCase();
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const compressible = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.map', '.txt']);
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
];

function toHttpUrl(raw: string): URL {
  const url = new URL(raw);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  if (url.protocol === 'wss:') url.protocol = 'https:';
  return url;
}

function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: { code, message } }));
}

/**
 * X-Forwarded-For for the next hop: what arrived, with the address of the peer this server saw appended. The
 * API and gateway read it TRUST_PROXY_HOPS entries from the right, so what a client wrote itself stays on the
 * left, unread.
 */
function forwardedFor(req: IncomingMessage): string {
  const prior = req.headers['x-forwarded-for'];
  const ip = req.socket.remoteAddress ?? '';
  return prior ? `${String(prior)}, ${ip}` : ip;
}

/** Brotli at a quality that costs about what gzip does: API answers are compressed as they stream. */
const BROTLI_FAST = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } };

/**
 * How to compress an API answer on its way to the client: JSON over 1 KB that the API sent uncompressed, in
 * the best coding the client accepts (null: pass it through as it is). A ticket list is tens of KB of JSON that
 * compresses five- to tenfold, which on a phone's link is most of the wait for the first screen.
 */
function jsonCoding(req: IncomingMessage, up: IncomingMessage): 'br' | 'gzip' | null {
  if (up.headers['content-encoding'] || !/^application\/json\b/i.test(up.headers['content-type'] ?? ''))
    return null;
  const length = up.headers['content-length'];
  if (length !== undefined && Number(length) <= 1024) return null;
  const accepted = acceptedEncodings(req.headers['accept-encoding']);
  return accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : null;
}

function proxyHttp(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const headers: http.OutgoingHttpHeaders = { ...req.headers };
  for (const h of HOP_BY_HOP) delete headers[h];
  headers.host = target.host;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-proto'] = (req.socket as tls.TLSSocket).encrypted ? 'https' : 'http';
  headers['x-forwarded-for'] = forwardedFor(req);
  const basePath = target.pathname.replace(/\/$/, '');
  const client = target.protocol === 'https:' ? https : http;
  const upstream = client.request(
    {
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port || undefined,
      method: req.method,
      path: `${basePath}${req.url ?? '/'}`,
      headers,
    },
    (up) => {
      const out = { ...up.headers };
      for (const h of HOP_BY_HOP) delete out[h];
      const coding = jsonCoding(req, up);
      if (!coding) {
        res.writeHead(up.statusCode ?? 502, out);
        up.pipe(res);
        return;
      }
      delete out['content-length'];
      out['content-encoding'] = coding;
      out.vary = out.vary ? `${out.vary}, Accept-Encoding` : 'Accept-Encoding';
      res.writeHead(up.statusCode ?? 502, out);
      pipeline(
        up,
        coding === 'br' ? zlib.createBrotliCompress(BROTLI_FAST) : zlib.createGzip({ level: 5 }),
        res,
        () => {
          // A client or API that went away mid-answer: the streams are already destroyed.
        },
      );
    },
  );
  upstream.on('error', () => sendJsonError(res, 502, 'bad_gateway', 'The API is not reachable'));
  req.pipe(upstream);
}

function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: URL): void {
  const secure = target.protocol === 'https:';
  const port = Number(target.port) || (secure ? 443 : 80);
  const upstream = secure
    ? tls.connect({ host: target.hostname, port, servername: target.hostname })
    : net.connect({ host: target.hostname, port });
  const basePath = target.pathname.replace(/\/$/, '');
  const onConnected = () => {
    const lines = [`${req.method ?? 'GET'} ${basePath}${req.url ?? '/ws'} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] ?? '';
      const value = req.rawHeaders[i + 1] ?? '';
      if (name.toLowerCase() === 'x-forwarded-for') continue;
      lines.push(`${name}: ${name.toLowerCase() === 'host' ? target.host : value}`);
    }
    lines.push(`X-Forwarded-For: ${forwardedFor(req)}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  };
  upstream.once(secure ? 'secureConnect' : 'connect', onConnected);
  const destroyBoth = () => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', () => {
    if (socket.writable)
      socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    destroyBoth();
  });
  socket.on('error', destroyBoth);
  upstream.on('close', () => socket.destroy());
  socket.on('close', () => upstream.destroy());
}

/** The content codings a request accepts (`br`, `gzip`, ...), leaving out those it refuses with q=0. */
function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of String(header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) accepted.add(name.trim());
  }
  return accepted;
}

async function fileSize(file: string): Promise<number | null> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

async function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  size: number,
  headers: http.OutgoingHttpHeaders,
): Promise<void> {
  res.writeHead(200, { ...headers, 'content-length': size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

interface StaticFile {
  path: string;
  size: number;
  ext: string;
}

/**
 * Serves the built Mini App (SPA fallback to index.html, long cache for hashed assets, the build's precompressed
 * brotli/gzip files by Accept-Encoding, gzip on the fly for text without them),
 * answers `/healthz`, and proxies `/api/*` (HTTP) and `/ws` (WebSocket upgrade) to the API and gateway.
 * Returns the server unstarted: the caller listens (`serve.ts`, or the root launcher).
 */
/** The Mini App server: a plain http.Server plus draining (for /readyz during shutdown). */
export type MiniappServer = http.Server & { startDraining(): void };

export function createMiniappServer(options: MiniappServerOptions): MiniappServer {
  const distDir = path.resolve(options.distDir);
  const apiTarget = toHttpUrl(options.apiUrl);
  const gatewayTarget = toHttpUrl(options.gatewayUrl);
  const security = securityHeaders(builtConnectOrigins(distDir), inlineScriptHashes(distDir));
  const gzipCache = new Map<string, { mtimeMs: number; body: Buffer }>();

  async function findFile(urlPath: string): Promise<StaticFile | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    if (decoded.includes('\0')) return null;
    const full = path.resolve(distDir, `.${path.posix.normalize(`/${decoded}`)}`);
    if (full !== distDir && !full.startsWith(distDir + path.sep)) return null;
    try {
      const stat = await fs.stat(full);
      if (!stat.isFile()) return null;
      return { path: full, size: stat.size, ext: path.extname(full).toLowerCase() };
    } catch {
      return null;
    }
  }

  async function sendFile(req: IncomingMessage, res: ServerResponse, file: StaticFile, cache: string) {
    const type = contentTypes[file.ext] ?? 'application/octet-stream';
    const headers: http.OutgoingHttpHeaders = { ...security, 'content-type': type, 'cache-control': cache };
    if (!compressible.has(file.ext)) {
      await sendBody(req, res, file.path, file.size, headers);
      return;
    }
    headers.vary = 'Accept-Encoding';
    const accepted = acceptedEncodings(req.headers['accept-encoding']);
    // Precompressed at build (vite.config.mts): brotli where accepted, else gzip.
    for (const [encoding, suffix] of [
      ['br', '.br'],
      ['gzip', '.gz'],
    ] as const) {
      if (!accepted.has(encoding)) continue;
      const size = await fileSize(`${file.path}${suffix}`);
      if (size === null) continue;
      await sendBody(req, res, `${file.path}${suffix}`, size, { ...headers, 'content-encoding': encoding });
      return;
    }
    if (accepted.has('gzip') && file.size > 1024) {
      const stat = await fs.stat(file.path);
      let cached = gzipCache.get(file.path);
      if (!cached || cached.mtimeMs !== stat.mtimeMs) {
        cached = { mtimeMs: stat.mtimeMs, body: gzipSync(await fs.readFile(file.path)) };
        gzipCache.set(file.path, cached);
      }
      res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': cached.body.length });
      res.end(req.method === 'HEAD' ? undefined : cached.body);
      return;
    }
    await sendBody(req, res, file.path, file.size, headers);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...security, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method Not Allowed');
      return;
    }
    const file = pathname === '/' ? null : await findFile(pathname);
    if (file) {
      const hashed = pathname.startsWith('/assets/');
      await sendFile(req, res, file, hashed ? IMMUTABLE : 'public, max-age=300');
      return;
    }
    // A missing asset or file with an extension is a real 404; anything else is a client-side route.
    if (pathname.startsWith('/assets/') || /\.[a-z0-9]{1,8}$/i.test(pathname)) {
      res.writeHead(404, { ...security, 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not Found');
      return;
    }
    const index = await findFile('/index.html');
    if (!index) {
      res.writeHead(503, { ...security, 'content-type': 'text/plain; charset=utf-8' });
      res.end('The Mini App is not built: run `pnpm --filter @tikethet/miniapp build`.');
      return;
    }
    await sendFile(req, res, index, 'no-cache');
  }

  let draining = false;
  const served = new Map<string, number>();
  const count = (route: string, res: ServerResponse) =>
    res.once('finish', () => {
      const key = `route="${route}",status="${Math.floor(res.statusCode / 100)}xx"`;
      served.set(key, (served.get(key) ?? 0) + 1);
    });

  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname === '/healthz' || pathname === '/readyz') {
      const ready = pathname === '/healthz' || !draining;
      res.writeHead(ready ? 200 : 503, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(JSON.stringify({ status: ready ? 'ok' : 'draining' }));
      return;
    }
    if (pathname === '/metrics') {
      const lines = [
        '# HELP miniapp_http_requests_total Requests served, by route and status class.',
        '# TYPE miniapp_http_requests_total counter',
      ];
      for (const [labels, value] of served) lines.push(`miniapp_http_requests_total{${labels}} ${value}`);
      res.writeHead(200, {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(`${lines.join('\n')}\n`);
      return;
    }
    count(pathname === '/api' || pathname.startsWith('/api/') ? 'api' : 'static', res);
    if (pathname === '/api' || pathname.startsWith('/api/')) {
      if (NOT_FORWARDED.has(routedPath(pathname))) {
        res.writeHead(404, { ...security, 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: { code: 'not_found', message: 'no such route' } }));
        return;
      }
      proxyHttp(req, res, apiTarget);
      return;
    }
    serveStatic(req, res, pathname).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname !== '/ws' && !pathname.startsWith('/ws/')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    proxyUpgrade(req, socket, head, gatewayTarget);
  });

  return Object.assign(server, {
    startDraining() {
      draining = true;
    },
  });
}
