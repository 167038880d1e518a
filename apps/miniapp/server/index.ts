import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { allowSlowUploads, LIVENESS, readinessOf } from '@tikethet/config';
import { createApiProxy } from './api-proxy';
import { buildSecurityHeaders } from './security-headers';
import { createStaticFiles } from './static-files';

export {
  CONNECT_ORIGINS_FILE,
  inlineScriptHashes,
  staticHostHeaders,
  TELEGRAM_WEB_ORIGINS,
} from './security-headers';

/** Where this package's build puts the Mini App's files (index.html + assets/). */
export const BUILT_FILES_DIR = path.resolve(__dirname, '../dist');

export interface MiniappServerOptions {
  /** The Vite build output (index.html + assets/). */
  distDir: string;
  /** Where `/api/*` goes, e.g. http://127.0.0.1:3000 */
  apiUrl: string;
  /** Where `/ws` goes, e.g. http://127.0.0.1:3001 (ws:// and wss:// also accepted). */
  gatewayUrl: string;
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

/** The Mini App server: a plain http.Server plus draining (for /readyz during shutdown). */
export type MiniappServer = http.Server & { startDraining(): void };

/**
 * Serves the built Mini App (static-files.ts), answers `/healthz`, `/readyz` and `/metrics`, and proxies `/api/*`
 * (HTTP) and `/ws` (WebSocket upgrade) to the API and gateway (api-proxy.ts), every answer of its own with the
 * build's security headers (security-headers.ts). Returns the server unstarted: the caller listens (`serve.ts`,
 * or the root launcher).
 */
export function createMiniappServer(options: MiniappServerOptions): MiniappServer {
  const distDir = path.resolve(options.distDir);
  const security = buildSecurityHeaders(distDir);
  const serveStatic = createStaticFiles(distDir, security);
  const proxy = createApiProxy(options.apiUrl, options.gatewayUrl);

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
      // The shape every server answers (packages/config); this one has no dependency to check.
      const { httpStatus, body } =
        pathname === '/healthz' ? { httpStatus: 200, body: LIVENESS } : readinessOf(draining);
      res.writeHead(httpStatus, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(JSON.stringify(body));
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
      proxy.web(req, res);
      return;
    }
    serveStatic(req, res);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname !== '/ws' && !pathname.startsWith('/ws/')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    proxy.ws(req, socket, head);
  });

  // Uploads pass through to the API: they may take as long here as there.
  allowSlowUploads(server);
  return Object.assign(server, {
    startDraining() {
      draining = true;
    },
  });
}
