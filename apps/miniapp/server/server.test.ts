import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { UPLOAD_REQUEST_TIMEOUT_MS } from '@tikethet/config';
import WebSocket, { WebSocketServer } from 'ws';
import { CONNECT_ORIGINS_FILE, createMiniappServer, type MiniappServer, staticHostHeaders } from './index';

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function getRaw(port: number, pathname: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: pathname, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

function get(port: number, pathname: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: pathname, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      });
      req.on('error', reject);
      if (method === 'POST') req.write(JSON.stringify({ hello: 'api' }));
      req.end();
    },
  );
}

describe('createMiniappServer', () => {
  const dist = mkdtempSync(path.join(os.tmpdir(), 'miniapp-dist-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(
    path.join(dist, 'assets', 'index-abc123.js'),
    `console.log(${JSON.stringify('x'.repeat(4000))});`,
  );
  writeFileSync(path.join(dist, 'favicon.svg'), '<svg/>');
  // Built once by vite.config.mts (precompress): the server sends these as they are.
  const bundled = `console.log(${JSON.stringify('y'.repeat(4000))});`;
  writeFileSync(path.join(dist, 'assets', 'app-def456.js'), bundled);
  writeFileSync(path.join(dist, 'assets', 'app-def456.js.br'), brotliCompressSync(bundled));
  writeFileSync(path.join(dist, 'assets', 'app-def456.js.gz'), gzipSync(bundled));

  let apiHits = 0;
  const bigJson = JSON.stringify({
    items: Array.from({ length: 60 }, (_, id) => ({ id, subject: `ticket ${id}` })),
  });
  const api = http.createServer((req, res) => {
    apiHits += 1;
    if (req.url === '/api/v1/big' || req.url === '/api/v1/small' || req.url === '/api/v1/file') {
      const body = req.url === '/api/v1/small' ? '{"ok":true}' : bigJson;
      const type =
        req.url === '/api/v1/file' ? 'application/octet-stream' : 'application/json; charset=utf-8';
      res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'api' });
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          auth: req.headers.authorization ?? null,
          body,
          forwardedFor: req.headers['x-forwarded-for'] ?? null,
        }),
      );
    });
  });
  const gateway = new WebSocketServer({ noServer: true });
  const gatewayHttp = http.createServer();
  gatewayHttp.on('upgrade', (req, socket, head) => {
    gateway.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (m) =>
        ws.send(
          String(m) === 'xff' ? `xff:${req.headers['x-forwarded-for']}` : `echo:${String(m)}:${req.url}`,
        ),
      );
    });
  });
  let server: MiniappServer;
  let port = 0;

  beforeAll(async () => {
    const apiPort = await listen(api);
    const gwPort = await listen(gatewayHttp);
    server = createMiniappServer({
      distDir: dist,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      gatewayUrl: `http://127.0.0.1:${gwPort}`,
    });
    port = await listen(server);
  });
  it('gives an upload passing through to the API as long as the API does (30 minutes, not Node’s 5)', () => {
    expect(server.requestTimeout).toBe(UPLOAD_REQUEST_TIMEOUT_MS);
    expect(UPLOAD_REQUEST_TIMEOUT_MS).toBeGreaterThanOrEqual(20 * 60_000);
  });
  afterAll(async () => {
    server.closeAllConnections();
    for (const c of gateway.clients) c.terminate();
    await new Promise((r) => server.close(r));
    await new Promise((r) => api.close(r));
    await new Promise((r) => gatewayHttp.close(r));
  });

  it('answers /healthz', async () => {
    const res = await get(port, '/healthz');
    expect(res.status).toBe(200);
  });

  it('counts what it served in /metrics', async () => {
    await get(port, '/');
    await get(port, '/api/v1/anything');
    const metrics = await get(port, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/miniapp_http_requests_total\{route="static",status="2xx"\} [1-9]/);
    expect(metrics.body).toMatch(/miniapp_http_requests_total\{route="api",status="[0-9]xx"\} [1-9]/);
  });

  it('serves index.html with no-cache and falls back to it for client routes', async () => {
    const root = await get(port, '/');
    expect(root.status).toBe(200);
    expect(root.headers['content-type']).toMatch(/text\/html/);
    expect(root.headers['cache-control']).toBe('no-cache');
    const deep = await get(port, '/tickets/12?x=1');
    expect(deep.status).toBe(200);
    expect(deep.body).toContain('id="root"');
  });

  it('serves hashed assets with a long cache, as they are when the build left no compressed copy, and 404s missing files', async () => {
    const plain = await get(port, '/assets/index-abc123.js');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toMatch(/text\/javascript/);
    expect(plain.headers['cache-control']).toContain('immutable');
    // The build compresses every text file over 1 KB once (vite.config.mts); nothing is compressed per request.
    const asIs = await get(port, '/assets/index-abc123.js', { 'accept-encoding': 'gzip' });
    expect(asIs.headers['content-encoding']).toBeUndefined();
    expect(asIs.body).toContain('x'.repeat(4000));
    expect((await get(port, '/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
    expect((await get(port, '/assets/missing.js')).status).toBe(404);
    // Traversal never leaves distDir: it is just another client route.
    const traversal = await get(port, '/..%2f..%2fetc%2fpasswd');
    expect(traversal.body).not.toContain('root:');
    expect(traversal.body).toContain('id="root"');
  });

  it('sends the precompressed brotli file where br is accepted, the .gz where only gzip is, else identity', async () => {
    const br = await getRaw(port, '/assets/app-def456.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-type']).toMatch(/text\/javascript/);
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(brotliDecompressSync(br.body).toString()).toBe(bundled);

    const gz = await getRaw(port, '/assets/app-def456.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(bundled);

    // br refused with q=0: never sent.
    const refused = await getRaw(port, '/assets/app-def456.js', { 'accept-encoding': 'br;q=0, gzip;q=0.5' });
    expect(refused.headers['content-encoding']).toBe('gzip');

    const identity = await getRaw(port, '/assets/app-def456.js');
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers.vary).toBe('Accept-Encoding');
    expect(identity.body.toString()).toBe(bundled);

    // The compressed files are not a way around the content type: asked for directly, they are not JavaScript.
    const direct = await getRaw(port, '/assets/app-def456.js.br');
    expect(direct.headers['content-type']).not.toMatch(/javascript/);
    expect(direct.headers['content-encoding']).toBeUndefined();
  });

  it('proxies /api/* with method, path, query, headers and body', async () => {
    const res = await get(
      port,
      '/api/v1/tickets?limit=5',
      { authorization: 'tma abc', 'content-type': 'application/json' },
      'POST',
    );
    expect(res.status).toBe(201);
    expect(res.headers['x-upstream']).toBe('api');
    expect(JSON.parse(res.body)).toEqual({
      method: 'POST',
      url: '/api/v1/tickets?limit=5',
      auth: 'tma abc',
      body: '{"hello":"api"}',
      forwardedFor: '127.0.0.1',
    });
  });

  it('compresses the API JSON answers over 1 KB in the coding the client accepts, and nothing else', async () => {
    const br = await getRaw(port, '/api/v1/big', { 'accept-encoding': 'gzip, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/);
    expect(br.headers['content-length']).toBeUndefined();
    expect(brotliDecompressSync(br.body).toString()).toBe(bigJson);
    expect(br.body.length).toBeLessThan(bigJson.length / 3);

    const gz = await getRaw(port, '/api/v1/big', { 'accept-encoding': 'gzip, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(bigJson);

    const plain = await getRaw(port, '/api/v1/big');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(bigJson);

    for (const small of ['/api/v1/small', '/api/v1/file']) {
      const res = await getRaw(port, small, { 'accept-encoding': 'br, gzip' });
      expect(res.headers['content-encoding']).toBeUndefined();
    }
  });

  it('appends the peer it saw to X-Forwarded-For, over HTTP and WebSocket, after what the client wrote', async () => {
    // The API keys unauthenticated rate limits TRUST_PROXY_HOPS from the right: the client's own entries
    // stay on the left, where they are never read.
    const res = await get(port, '/api/v1/me', { 'x-forwarded-for': '6.6.6.6' });
    expect(JSON.parse(res.body).forwardedFor).toBe('6.6.6.6, 127.0.0.1');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { 'x-forwarded-for': '6.6.6.6' } });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('xff'));
      ws.on('message', (m) => resolve(String(m)));
      ws.on('error', reject);
    }).finally(() => ws.close());
    expect(reply).toBe('xff:6.6.6.6, 127.0.0.1');
  });

  it.each([
    '/api/v1/metrics',
    '/api/v1/metrics/',
    '/api/v1/METRICS',
    '/api/v1//metrics',
    '/api/v1/./metrics',
    '/api/v1/x/../metrics',
    '/api/v1/%6detrics',
    '/api/v1/metrics?format=json',
  ])('never forwards the API’s metrics: %s is a 404 that never reaches the API', async (pathname) => {
    const before = apiHits;
    const res = await get(port, pathname);
    expect(res.status).toBe(404);
    expect(apiHits).toBe(before);
  });

  const FRAME_ANCESTORS = [
    'https://web.telegram.org',
    'https://*.web.telegram.org',
    'https://webk.telegram.org',
    'https://webz.telegram.org',
  ];

  it.each([
    ['the page', '/'],
    ['a client route', '/tickets/12'],
    ['an asset', '/assets/index-abc123.js'],
    ['a missing asset', '/assets/missing.js'],
  ])(
    'sends %s with a CSP that lets only Telegram’s web clients frame it, nosniff and no referrer',
    async (_what, pathname) => {
      const res = await get(port, pathname);
      const csp = String(res.headers['content-security-policy']);
      const directives = new Map(
        csp.split(';').map((d) => {
          const [name = '', ...values] = d.trim().split(/\s+/);
          return [name, values] as const;
        }),
      );
      expect(directives.get('frame-ancestors')).toEqual(FRAME_ANCESTORS);
      expect(directives.get('default-src')).toEqual(["'self'"]);
      expect(directives.get('script-src')).toEqual(["'self'"]);
      expect(directives.get('object-src')).toEqual(["'none'"]);
      expect(directives.get('base-uri')).toEqual(["'none'"]);
      expect(directives.get('connect-src')).toEqual(["'self'"]);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      // X-Frame-Options cannot name Telegram's origins; with it the web clients could not frame the app.
      expect(res.headers['x-frame-options']).toBeUndefined();
    },
  );

  /** `/` from a server over a build of its own (`files`: name -> content). */
  async function pageOf(
    files: Record<string, string>,
    built = mkdtempSync(path.join(os.tmpdir(), 'miniapp-dist-')),
  ) {
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(built, name), content);
    const other = createMiniappServer({
      distDir: built,
      apiUrl: 'http://127.0.0.1:1',
      gatewayUrl: 'http://127.0.0.1:1',
    });
    const p = await listen(other);
    const res = await get(p, '/');
    await new Promise((r) => {
      other.close(r);
      // The answer is in: its keep-alive socket may not count as idle yet, and need not wait for the timeout.
      other.closeAllConnections();
    });
    return res;
  }

  it('lets the page connect to the API and gateway origins it was built for', async () => {
    const res = await pageOf({
      'index.html': '<!doctype html>',
      [CONNECT_ORIGINS_FILE]: JSON.stringify([
        'https://api.example.com/',
        'wss://ws.example.com/socket',
        'not a url',
      ]),
    });
    expect(String(res.headers['content-security-policy'])).toContain(
      "connect-src 'self' https://api.example.com wss://ws.example.com;",
    );
  });

  it('allows by hash exactly the inline scripts its index.html carries, and no other inline script', async () => {
    const boot = "window.__boot = fetch('/api/v1/me');";
    const res = await pageOf({
      'index.html': `<!doctype html><head><script>${boot}</script><script type="module" src="/assets/x.js"></script></head>`,
    });
    const hash = createHash('sha256').update(boot).digest('base64');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}';`);
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'));
    expect(scriptSrc?.trim().split(/\s+/)).toEqual(['script-src', "'self'", `'sha256-${hash}'`]);
    // The index.html without inline scripts (the suite's) keeps script-src 'self' alone: see the CSP test.
    expect((await get(port, '/')).headers['content-security-policy']).toContain("script-src 'self';");
  });

  it('writes a static host the headers it sends itself: same CSP and boot hash, immutable assets, no-cache page', async () => {
    const built = mkdtempSync(path.join(os.tmpdir(), 'miniapp-dist-'));
    const res = await pageOf(
      {
        'index.html': '<!doctype html><script>boot()</script>',
        [CONNECT_ORIGINS_FILE]: JSON.stringify(['https://api.example.com/']),
      },
      built,
    );
    const rules = new Map<string, string[]>();
    let current = '';
    for (const line of staticHostHeaders(built).split('\n')) {
      if (!line.trim()) continue;
      if (line.startsWith(' ')) {
        rules.get(current)?.push(line.trim());
        continue;
      }
      current = line;
      rules.set(current, []);
    }
    expect(rules.get('/*')).toEqual([
      `Content-Security-Policy: ${res.headers['content-security-policy']}`,
      'X-Content-Type-Options: nosniff',
      'Referrer-Policy: no-referrer',
    ]);
    expect(String(res.headers['content-security-policy'])).toContain(
      `'sha256-${createHash('sha256').update('boot()').digest('base64')}'`,
    );
    expect(rules.get('/assets/*')).toEqual(['Cache-Control: public, max-age=31536000, immutable']);
    expect(rules.get('/')).toEqual(['Cache-Control: no-cache']);
    expect(rules.get('/index.html')).toEqual(['Cache-Control: no-cache']);
  });

  it('answers only GET and HEAD for files, and says so when the build is missing', async () => {
    const post = await get(port, '/assets/index-abc123.js', {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await get(port, '/assets/index-abc123.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const unbuilt = await pageOf({ 'favicon.svg': '<svg/>' });
    expect(unbuilt.status).toBe(503);
    expect(unbuilt.body).toContain('not built');
  });

  it('answers 502 in the API error shape when the API is down', async () => {
    const down = createMiniappServer({
      distDir: dist,
      apiUrl: 'http://127.0.0.1:1',
      gatewayUrl: 'http://127.0.0.1:1',
    });
    const p = await listen(down);
    const res = await get(p, '/api/v1/me');
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body).error.code).toBe('bad_gateway');
    await new Promise((r) => down.close(r));
  });

  it('pipes WebSocket upgrades on /ws to the gateway', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hi'));
      ws.on('message', (m) => resolve(String(m)));
      ws.on('error', reject);
    });
    expect(reply).toBe('echo:hi:/ws');
    ws.close();
  });

  it('is ready until it drains, then answers /readyz with 503 while still alive', async () => {
    expect((await get(port, '/readyz')).status).toBe(200);
    server.startDraining();
    expect((await get(port, '/readyz')).status).toBe(503);
    expect((await get(port, '/healthz')).status).toBe(200);
  });
});
