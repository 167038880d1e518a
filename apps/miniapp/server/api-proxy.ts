import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import type tls from 'node:tls';
import zlib from 'node:zlib';
import { createProxyServer } from 'http-proxy-3';
import { acceptedEncodings } from './static-files';

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
];

/** ws:// and wss:// name the same server as http:// and https:// do. */
export function toHttpUrl(raw: string): URL {
  const url = new URL(raw);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  if (url.protocol === 'wss:') url.protocol = 'https:';
  return url;
}

/**
 * X-Forwarded-For for the next hop: what arrived, with the address of the peer this server saw appended. The
 * API and gateway read it TRUST_PROXY_HOPS entries from the right, so what a client wrote itself stays on the
 * left, unread. X-Forwarded-Host and -Proto are this server's own view, whatever the client sent.
 */
function setForwarded(proxyReq: http.ClientRequest, req: IncomingMessage): void {
  const prior = req.headers['x-forwarded-for'];
  const ip = req.socket.remoteAddress ?? '';
  proxyReq.setHeader('x-forwarded-for', prior ? `${String(prior)}, ${ip}` : ip);
  proxyReq.setHeader('x-forwarded-host', req.headers.host ?? '');
  proxyReq.setHeader('x-forwarded-proto', (req.socket as tls.TLSSocket).encrypted ? 'https' : 'http');
}

export function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: { code, message } }));
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

/** The API's answer relayed to the client, its JSON compressed on the way when that pays. */
function relay(up: IncomingMessage, req: IncomingMessage, res: ServerResponse): void {
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
}

/**
 * One API request forwarded as it came (method, path, query, headers, body streamed) over a kept-alive
 * connection, its answer relayed back. Written by hand rather than through http-proxy-3: on a request and
 * answer of a few dozen bytes the library measured 0.69x of this (bench/miniapp-server, quiet machine).
 */
function forwardHttp(req: IncomingMessage, res: ServerResponse, target: URL, agent: http.Agent): void {
  const headers: http.OutgoingHttpHeaders = { ...req.headers };
  for (const h of HOP_BY_HOP) delete headers[h];
  headers.host = target.host;
  const basePath = target.pathname.replace(/\/$/, '');
  const upstream = (target.protocol === 'https:' ? https : http).request(
    {
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port || undefined,
      method: req.method,
      path: `${basePath}${req.url ?? '/'}`,
      headers,
      agent,
    },
    (up) => relay(up, req, res),
  );
  setForwarded(upstream, req);
  upstream.on('error', () => sendJsonError(res, 502, 'bad_gateway', 'The API is not reachable'));
  req.pipe(upstream);
}

/**
 * The reverse proxy from the Mini App's origin to the API (`/api/*`, forwardHttp) and the gateway (`/ws`
 * upgrades, through `http-proxy-3`): X-Forwarded-* set as above, a 502 in the API's error shape when the API
 * cannot be reached.
 */
export function createApiProxy(apiUrl: string, gatewayUrl: string) {
  const apiTarget = toHttpUrl(apiUrl);
  const gatewayTarget = toHttpUrl(gatewayUrl);
  const apiAgent =
    apiTarget.protocol === 'https:'
      ? new https.Agent({ keepAlive: true })
      : new http.Agent({ keepAlive: true });
  const proxy = createProxyServer({ changeOrigin: true });
  proxy.on('proxyReqWs', (proxyReq, req) => setForwarded(proxyReq, req));
  proxy.on('error', (_error, _req, resOrSocket) => {
    if ('writeHead' in resOrSocket) {
      sendJsonError(resOrSocket, 502, 'bad_gateway', 'The gateway is not reachable');
      return;
    }
    if (resOrSocket.writable)
      resOrSocket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    resOrSocket.destroy();
  });
  return {
    web(req: IncomingMessage, res: ServerResponse): void {
      forwardHttp(req, res, apiTarget, apiAgent);
    },
    ws(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      proxy.ws(req, socket, head, { target: gatewayTarget });
    },
  };
}
