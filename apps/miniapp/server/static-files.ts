import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import sirv from 'sirv';
import { IMMUTABLE } from './security-headers';

/** The content codings a request accepts (`br`, `gzip`, ...), leaving out those it refuses with q=0. */
export function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of String(header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) accepted.add(name.trim());
  }
  return accepted;
}

/** How long a browser may keep what it got, by path: hashed assets forever, the page never unchecked. */
function cacheControl(pathname: string): string {
  if (pathname.startsWith('/assets/')) return IMMUTABLE;
  if (pathname === '/' || pathname.endsWith('.html') || !/\.[a-z0-9]{1,8}$/i.test(pathname))
    return 'no-cache';
  return 'public, max-age=300';
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/**
 * The built Mini App's files, served by `sirv`: the file list is read once (the build does not change under a
 * running server), the build's precompressed `.br`/`.gz` siblings go out by Accept-Encoding (vite.config.mts
 * writes them for every text file over 1 KB; smaller ones go as they are), client routes fall back to
 * index.html, and a missing asset or file with an extension is a real 404. `headers` (the CSP and friends) go
 * on every answer.
 */
export function createStaticFiles(distDir: string, headers: Record<string, string>) {
  const built = existsSync(path.join(distDir, 'index.html'));
  const files = sirv(distDir, {
    dev: false,
    etag: false,
    brotli: true,
    gzip: true,
    single: true,
    // No index.html fallback for a path with an extension or under /assets/: those are files or nothing.
    ignores: ['^/assets/'],
    setHeaders(res, pathname) {
      res.setHeader('cache-control', cacheControl(pathname));
    },
    onNoMatch(_req, res) {
      plain(res, 404, 'Not Found', headers);
    },
  });

  return function serveStatic(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, 'Method Not Allowed', { ...headers, allow: 'GET, HEAD' });
      return;
    }
    if (!built) {
      plain(res, 503, 'The Mini App is not built: run `pnpm --filter @tikethet/miniapp build`.', headers);
      return;
    }
    // The precompressed siblings are sent in place of their file, never by their own name (sirv would send
    // them as the original's type with its encoding).
    if (/\.(br|gz)$/i.test((req.url ?? '').split('?')[0] ?? '')) {
      plain(res, 404, 'Not Found', headers);
      return;
    }
    // sirv matches codings by substring; hand it only those the client really accepts (br;q=0 is a refusal).
    const accepted = acceptedEncodings(req.headers['accept-encoding']);
    req.headers['accept-encoding'] = ['br', 'gzip'].filter((c) => accepted.has(c)).join(', ');
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    files(req, res);
  };
}
