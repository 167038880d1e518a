import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

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

/** The security headers of everything served from a build in `distDir`. */
export function buildSecurityHeaders(distDir: string): Record<string, string> {
  return securityHeaders(builtConnectOrigins(distDir), inlineScriptHashes(distDir));
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * `_headers` for a static host (Netlify's and Cloudflare Pages' format; the rules to copy into Render's static
 * site headers): the same CSP (with the boot script's hash), nosniff and referrer policy this server sends,
 * hashed assets immutable, the page revalidated. `pnpm build` writes it to dist/ (write-static-headers.ts).
 */
export function staticHostHeaders(distDir: string): string {
  const security = buildSecurityHeaders(distDir);
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
