import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';

/** Env var naming the control endpoint that hands out embedded databases to test workers. */
export const EMBEDDED_PG_CONTROL_ENV = 'TEST_EMBEDDED_PG_CONTROL';

export interface EmbeddedPostgresControl {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * PGlite cannot serve more than one database, so each `createTestDatabase()` under the embedded backend
 * gets its own PGlite, started here in the jest parent process (plain Node) on behalf of the worker.
 * `POST /databases` -> `{ name, url }`; `DELETE /databases/<name>` stops it.
 */
export async function startEmbeddedPostgresControl(): Promise<EmbeddedPostgresControl> {
  const databases = new Map<string, EmbeddedPostgres>();
  let counter = 0;
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = req.url ?? '/';
    if (req.method === 'POST' && path === '/databases') {
      startEmbeddedPostgres()
        .then((db) => {
          counter += 1;
          const name = `embedded_${counter}`;
          databases.set(name, db);
          reply(201, { name, url: db.url });
        })
        .catch((error: unknown) => reply(500, { error: String(error) }));
      return;
    }
    const match = /^\/databases\/([a-z0-9_]+)$/.exec(path);
    const db = match?.[1] === undefined ? undefined : databases.get(match[1]);
    if (req.method === 'DELETE' && match?.[1] !== undefined) {
      databases.delete(match[1]);
      (db ? db.stop() : Promise.resolve()).then(
        () => reply(200, { ok: true }),
        () => reply(200, { ok: true }),
      );
      return;
    }
    reply(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await Promise.allSettled([...databases.values()].map((db) => db.stop()));
      databases.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
