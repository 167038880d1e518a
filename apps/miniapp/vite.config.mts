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

export default defineConfig({
  plugins: [react(), connectOrigins()],
  build: { outDir: 'dist', target: 'es2020', sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: true },
      '/ws': { target: gateway.replace(/^http/, 'ws'), ws: true },
    },
  },
});
