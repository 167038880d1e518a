/**
 * `pnpm build`'s last step: writes dist/_headers (the headers a static host should send, see
 * staticHostHeaders) and dist/_redirects (client routes to index.html) for serving the build without this
 * server. Run from the package directory: `node dist-server/write-static-headers.js [distDir]`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { staticHostHeaders } from './index';

const distDir = path.resolve(process.argv[2] ?? 'dist');
writeFileSync(path.join(distDir, '_headers'), staticHostHeaders(distDir));
writeFileSync(path.join(distDir, '_redirects'), '/*    /index.html   200\n');
