// The built CommonJS packages and the dependencies the soak borrows from the workspace.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const fromRoot = createRequire(path.join(ROOT, 'package.json'));
const fromE2e = createRequire(path.join(ROOT, 'e2e/package.json'));
const fromDb = createRequire(path.join(ROOT, 'packages/db/package.json'));

export const testkit = fromRoot('./packages/testkit/dist/index.js');
export const db = fromRoot('./packages/db/dist/index.js');
export const WebSocket = fromE2e('ws');
export const pg = fromDb('pg');

export function built(relative) {
  return path.join(ROOT, relative);
}
