import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const api = process.env.API_URL ?? 'http://127.0.0.1:3000';
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:3001';

/**
 * Writes the origins the build talks to besides its own (VITE_API_URL, VITE_GATEWAY_URL) to
 * dist/connect-origins.json: the Mini App server allows them in its CSP's connect-src (src/server/index.ts).
 */
function connectOrigins(): Plugin {
  let env: Record<string, unknown> = {};
  return {
    name: 'tikethet-connect-origins',
    apply: 'build',
    configResolved(config) {
      env = config.env;
    },
    generateBundle() {
      const urls = [env.VITE_API_URL, env.VITE_GATEWAY_URL].filter(
        (v): v is string => typeof v === 'string' && v !== '',
      );
      this.emitFile({ type: 'asset', fileName: 'connect-origins.json', source: `${JSON.stringify(urls)}\n` });
    },
  };
}

/**
 * The UI runtime: Preact through preact/compat (default: the first screen's JS is a third of React 19's, see
 * docs/BENCHMARKS.md), or React 19 with MINIAPP_RUNTIME=react. The source is written against React's API.
 */
const runtime = process.env.MINIAPP_RUNTIME === 'react' ? 'react' : 'preact';
const preactAliases = [
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react\/jsx-runtime$/, replacement: 'preact/jsx-runtime' },
  { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/jsx-dev-runtime' },
  { find: /^react$/, replacement: 'preact/compat' },
];

/** Lazy screens a first screen shows at once (the agent's queue): preloaded with the entry, not after it runs. */
const FIRST_SCREEN_LAZY = ['src/pages/agent/QueuePage.tsx'];

function firstScreenPreload(): Plugin {
  return {
    name: 'tikethet-first-screen-preload',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
        const files = new Set<string>();
        for (const chunk of chunks) {
          const id = chunk.facadeModuleId?.split(path.sep).join('/') ?? '';
          if (!FIRST_SCREEN_LAZY.some((lazy) => id.endsWith(lazy))) continue;
          files.add(chunk.fileName);
          for (const imported of chunk.imports) files.add(imported);
        }
        const entry = chunks.find((c) => c.isEntry);
        for (const already of [entry?.fileName, ...(entry?.imports ?? [])])
          if (already) files.delete(already);
        return [...files].map((file) => ({
          tag: 'link',
          attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` },
          injectTo: 'head' as const,
        }));
      },
    },
  };
}

/** Puts the API origin (VITE_API_URL, empty for same-origin) into index.html's boot script. */
function bootApiBase(): Plugin {
  let api = '';
  return {
    name: 'tikethet-boot-api-base',
    configResolved(config) {
      api = typeof config.env.VITE_API_URL === 'string' ? config.env.VITE_API_URL.replace(/\/$/, '') : '';
    },
    transformIndexHtml: {
      order: 'pre',
      handler: (html) => html.replace("'__TIKETHET_API_ORIGIN__'", JSON.stringify(api)),
    },
  };
}

const COMPRESSIBLE = /\.(?:html|js|mjs|css|json|svg|txt|map)$/;

/**
 * Writes `<file>.br` (quality 11) and `<file>.gz` (level 9) beside every compressible built file over 1 KB:
 * compressed once at build, served with Content-Encoding by the Mini App's server (src/server/index.ts) or a
 * static host that serves precompressed files.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'tikethet-precompress',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      for (const item of Object.values(bundle)) {
        if (!COMPRESSIBLE.test(item.fileName)) continue;
        const source = item.type === 'chunk' ? item.code : item.source;
        const body = typeof source === 'string' ? Buffer.from(source) : Buffer.from(source);
        if (body.length <= 1024) continue;
        const file = path.join(outDir, item.fileName);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(body, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: 11,
              [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          }),
        );
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), connectOrigins(), bootApiBase(), firstScreenPreload(), precompress()],
  resolve: { alias: runtime === 'preact' ? preactAliases : [] },
  build: { outDir: 'dist', target: 'es2020', sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: true },
      '/ws': { target: gateway.replace(/^http/, 'ws'), ws: true },
    },
  },
});
