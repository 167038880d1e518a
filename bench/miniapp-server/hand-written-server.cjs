"use strict";
// The compiled Mini App server of commit 8be9e6a (apps/miniapp/src/server/index.ts, tsc output, unchanged): the
// reference bench/miniapp-server/run.mjs measures the shipped server against.
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.TELEGRAM_WEB_ORIGINS = exports.CONNECT_ORIGINS_FILE = void 0;
exports.inlineScriptHashes = inlineScriptHashes;
exports.staticHostHeaders = staticHostHeaders;
exports.createMiniappServer = createMiniappServer;
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_http_1 = __importDefault(require("node:http"));
const node_https_1 = __importDefault(require("node:https"));
const node_net_1 = __importDefault(require("node:net"));
const node_path_1 = __importDefault(require("node:path"));
const node_stream_1 = require("node:stream");
const node_tls_1 = __importDefault(require("node:tls"));
const node_zlib_1 = __importStar(require("node:zlib"));
/**
 * The origins the build talks to besides its own (VITE_API_URL / VITE_GATEWAY_URL, when the API or gateway live
 * elsewhere): the build writes them to `connect-origins.json` (vite.config.mts) for the CSP's connect-src.
 */
exports.CONNECT_ORIGINS_FILE = 'connect-origins.json';
function builtConnectOrigins(distDir) {
    let listed;
    try {
        listed = JSON.parse((0, node_fs_1.readFileSync)(node_path_1.default.join(distDir, exports.CONNECT_ORIGINS_FILE), 'utf8'));
    }
    catch {
        return [];
    }
    if (!Array.isArray(listed))
        return [];
    const origins = [];
    for (const entry of listed) {
        try {
            origins.push(new URL(String(entry)).origin);
        }
        catch {
            // Not a URL: nothing to allow.
        }
    }
    return origins;
}
/**
 * The SHA-256 (base64) of each inline script of the built index.html (the boot script that starts the first API
 * reads): the CSP allows those and no other inline script. Read once, when the server is created.
 */
function inlineScriptHashes(distDir) {
    let html;
    try {
        html = (0, node_fs_1.readFileSync)(node_path_1.default.join(distDir, 'index.html'), 'utf8');
    }
    catch {
        return [];
    }
    const hashes = [];
    for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        if (/\bsrc\s*=/i.test(match[1] ?? '') || !match[2])
            continue;
        hashes.push((0, node_crypto_1.createHash)('sha256').update(match[2]).digest('base64'));
    }
    return hashes;
}
/** Telegram's web clients, which show a Mini App in an iframe; no one else may frame it. */
exports.TELEGRAM_WEB_ORIGINS = [
    'https://web.telegram.org',
    'https://*.web.telegram.org',
    'https://webk.telegram.org',
    'https://webz.telegram.org',
];
/**
 * The headers of everything this server answers itself. The CSP lets the built app run (its own scripts,
 * styles, blob: images) and nothing injected; `style-src 'unsafe-inline'` because Telegram's web-app script
 * adds a <style> for the web client's theme. No X-Frame-Options: it cannot name Telegram's origins.
 */
function securityHeaders(connectOrigins, scriptHashes) {
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
        `frame-ancestors ${exports.TELEGRAM_WEB_ORIGINS.join(' ')}`,
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
function staticHostHeaders(distDir) {
    const security = securityHeaders(builtConnectOrigins(distDir), inlineScriptHashes(distDir));
    const names = {
        'content-security-policy': 'Content-Security-Policy',
        'x-content-type-options': 'X-Content-Type-Options',
        'referrer-policy': 'Referrer-Policy',
    };
    const rule = (path, headers) => [path, ...headers.map(([name, value]) => `  ${name}: ${value}`)].join('\n');
    return `${[
        rule('/*', Object.entries(security).map(([name, value]) => [names[name] ?? name, value])),
        rule('/assets/*', [['Cache-Control', IMMUTABLE]]),
        rule('/', [['Cache-Control', 'no-cache']]),
        rule('/index.html', [['Cache-Control', 'no-cache']]),
    ].join('\n\n')}\n`;
}
/** The paths the public origin never forwards, compared as the API would route them. */
const NOT_FORWARDED = new Set(['/api/v1/metrics']);
/** The path as a router would see it: decoded, `.`/`..` and repeated slashes resolved, lower case. */
function routedPath(pathname) {
    let decoded = pathname;
    try {
        decoded = decodeURIComponent(pathname);
    }
    catch {
        // Left as sent: the API answers 400 for it.
    }
    const normalized = node_path_1.default.posix.normalize(decoded.replace(/\/+/g, '/')).replace(/\/+$/, '');
    return normalized.toLowerCase();
}
const contentTypes = {
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
function toHttpUrl(raw) {
    const url = new URL(raw);
    if (url.protocol === 'ws:')
        url.protocol = 'http:';
    if (url.protocol === 'wss:')
        url.protocol = 'https:';
    return url;
}
function sendJsonError(res, status, code, message) {
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
function forwardedFor(req) {
    const prior = req.headers['x-forwarded-for'];
    const ip = req.socket.remoteAddress ?? '';
    return prior ? `${String(prior)}, ${ip}` : ip;
}
/** Brotli at a quality that costs about what gzip does: API answers are compressed as they stream. */
const BROTLI_FAST = { params: { [node_zlib_1.default.constants.BROTLI_PARAM_QUALITY]: 4 } };
/**
 * How to compress an API answer on its way to the client: JSON over 1 KB that the API sent uncompressed, in
 * the best coding the client accepts (null: pass it through as it is). A ticket list is tens of KB of JSON that
 * compresses five- to tenfold, which on a phone's link is most of the wait for the first screen.
 */
function jsonCoding(req, up) {
    if (up.headers['content-encoding'] || !/^application\/json\b/i.test(up.headers['content-type'] ?? ''))
        return null;
    const length = up.headers['content-length'];
    if (length !== undefined && Number(length) <= 1024)
        return null;
    const accepted = acceptedEncodings(req.headers['accept-encoding']);
    return accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : null;
}
function proxyHttp(req, res, target) {
    const headers = { ...req.headers };
    for (const h of HOP_BY_HOP)
        delete headers[h];
    headers.host = target.host;
    headers['x-forwarded-host'] = req.headers.host ?? '';
    headers['x-forwarded-proto'] = req.socket.encrypted ? 'https' : 'http';
    headers['x-forwarded-for'] = forwardedFor(req);
    const basePath = target.pathname.replace(/\/$/, '');
    const client = target.protocol === 'https:' ? node_https_1.default : node_http_1.default;
    const upstream = client.request({
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port || undefined,
        method: req.method,
        path: `${basePath}${req.url ?? '/'}`,
        headers,
    }, (up) => {
        const out = { ...up.headers };
        for (const h of HOP_BY_HOP)
            delete out[h];
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
        (0, node_stream_1.pipeline)(up, coding === 'br' ? node_zlib_1.default.createBrotliCompress(BROTLI_FAST) : node_zlib_1.default.createGzip({ level: 5 }), res, () => {
            // A client or API that went away mid-answer: the streams are already destroyed.
        });
    });
    upstream.on('error', () => sendJsonError(res, 502, 'bad_gateway', 'The API is not reachable'));
    req.pipe(upstream);
}
function proxyUpgrade(req, socket, head, target) {
    const secure = target.protocol === 'https:';
    const port = Number(target.port) || (secure ? 443 : 80);
    const upstream = secure
        ? node_tls_1.default.connect({ host: target.hostname, port, servername: target.hostname })
        : node_net_1.default.connect({ host: target.hostname, port });
    const basePath = target.pathname.replace(/\/$/, '');
    const onConnected = () => {
        const lines = [`${req.method ?? 'GET'} ${basePath}${req.url ?? '/ws'} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
            const name = req.rawHeaders[i] ?? '';
            const value = req.rawHeaders[i + 1] ?? '';
            if (name.toLowerCase() === 'x-forwarded-for')
                continue;
            lines.push(`${name}: ${name.toLowerCase() === 'host' ? target.host : value}`);
        }
        lines.push(`X-Forwarded-For: ${forwardedFor(req)}`);
        upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length > 0)
            upstream.write(head);
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
function acceptedEncodings(header) {
    const accepted = new Set();
    for (const part of String(header ?? '').split(',')) {
        const [name = '', ...params] = part.trim().toLowerCase().split(';');
        const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
        if (name && !(q && Number(q.slice(2)) === 0))
            accepted.add(name.trim());
    }
    return accepted;
}
async function fileSize(file) {
    try {
        const stat = await node_fs_1.promises.stat(file);
        return stat.isFile() ? stat.size : null;
    }
    catch {
        return null;
    }
}
async function sendBody(req, res, file, size, headers) {
    res.writeHead(200, { ...headers, 'content-length': size });
    if (req.method === 'HEAD') {
        res.end();
        return;
    }
    (0, node_fs_1.createReadStream)(file).pipe(res);
}
function createMiniappServer(options) {
    const distDir = node_path_1.default.resolve(options.distDir);
    const apiTarget = toHttpUrl(options.apiUrl);
    const gatewayTarget = toHttpUrl(options.gatewayUrl);
    const security = securityHeaders(builtConnectOrigins(distDir), inlineScriptHashes(distDir));
    const gzipCache = new Map();
    async function findFile(urlPath) {
        let decoded;
        try {
            decoded = decodeURIComponent(urlPath);
        }
        catch {
            return null;
        }
        if (decoded.includes('\0'))
            return null;
        const full = node_path_1.default.resolve(distDir, `.${node_path_1.default.posix.normalize(`/${decoded}`)}`);
        if (full !== distDir && !full.startsWith(distDir + node_path_1.default.sep))
            return null;
        try {
            const stat = await node_fs_1.promises.stat(full);
            if (!stat.isFile())
                return null;
            return { path: full, size: stat.size, ext: node_path_1.default.extname(full).toLowerCase() };
        }
        catch {
            return null;
        }
    }
    async function sendFile(req, res, file, cache) {
        const type = contentTypes[file.ext] ?? 'application/octet-stream';
        const headers = { ...security, 'content-type': type, 'cache-control': cache };
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
        ]) {
            if (!accepted.has(encoding))
                continue;
            const size = await fileSize(`${file.path}${suffix}`);
            if (size === null)
                continue;
            await sendBody(req, res, `${file.path}${suffix}`, size, { ...headers, 'content-encoding': encoding });
            return;
        }
        if (accepted.has('gzip') && file.size > 1024) {
            const stat = await node_fs_1.promises.stat(file.path);
            let cached = gzipCache.get(file.path);
            if (!cached || cached.mtimeMs !== stat.mtimeMs) {
                cached = { mtimeMs: stat.mtimeMs, body: (0, node_zlib_1.gzipSync)(await node_fs_1.promises.readFile(file.path)) };
                gzipCache.set(file.path, cached);
            }
            res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': cached.body.length });
            res.end(req.method === 'HEAD' ? undefined : cached.body);
            return;
        }
        await sendBody(req, res, file.path, file.size, headers);
    }
    async function serveStatic(req, res, pathname) {
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
    const served = new Map();
    const count = (route, res) => res.once('finish', () => {
        const key = `route="${route}",status="${Math.floor(res.statusCode / 100)}xx"`;
        served.set(key, (served.get(key) ?? 0) + 1);
    });
    const server = node_http_1.default.createServer((req, res) => {
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
            for (const [labels, value] of served)
                lines.push(`miniapp_http_requests_total{${labels}} ${value}`);
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
            if (!res.headersSent)
                res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
            res.end();
        });
    });
    server.on('upgrade', (req, socket, head) => {
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
//# sourceMappingURL=index.js.map