import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.API_URL ?? 'http://127.0.0.1:3000';
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:3001';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', target: 'es2020', sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: true },
      '/ws': { target: gateway.replace(/^http/, 'ws'), ws: true },
    },
  },
});
