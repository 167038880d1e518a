import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { EMBEDDED_PG_CONTROL_ENV } from './embedded-postgres-control';
import { testDatabaseAdminUrl } from './services';

export interface TestDatabase {
  /** Connection string of the fresh, empty database. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates a fresh database for one test file on the test server; `drop()` removes it. */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const control = process.env[EMBEDDED_PG_CONTROL_ENV];
  if (control) return createEmbeddedTestDatabase(control);
  const adminUrl = testDatabaseAdminUrl();
  const name = `tt_${label
    .replace(/[^a-z0-9_]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Embedded backend: PGlite has a single database, so each test database is a PGlite of its own. */
async function createEmbeddedTestDatabase(controlUrl: string): Promise<TestDatabase> {
  const res = await fetch(`${controlUrl}/databases`, { method: 'POST' });
  if (res.status !== 201)
    throw new Error(`embedded Postgres control answered ${res.status}: ${await res.text()}`);
  const { name, url } = (await res.json()) as { name: string; url: string };
  return {
    url,
    name,
    async drop() {
      await fetch(`${controlUrl}/databases/${name}`, { method: 'DELETE' });
    },
  };
}
