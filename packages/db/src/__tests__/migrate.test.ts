import { createTestDatabase, type TestDatabase } from '@tikethet/testkit';
import pg from 'pg';
import { runMigrations } from '../migrate';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('migrate');
});
afterAll(async () => {
  await database.drop();
});

async function schemaFingerprint(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by 1",
    );
    const columns = await client.query<{ n: string }>(
      "select count(*) as n from information_schema.columns where table_schema = 'public'",
    );
    const applied = await client.query<{ n: string }>(
      'select count(*) as n from drizzle.__drizzle_migrations',
    );
    return {
      tables: tables.rows.map((r) => r.table_name),
      columns: Number(columns.rows[0]?.n),
      applied: Number(applied.rows[0]?.n),
    };
  } finally {
    await client.end();
  }
}

describe('runMigrations', () => {
  it('three concurrent runs then a rerun leave one intact schema', async () => {
    await Promise.all([
      runMigrations(database.url),
      runMigrations(database.url),
      runMigrations(database.url),
    ]);
    const first = await schemaFingerprint(database.url);
    expect(first.tables).toEqual(
      expect.arrayContaining([
        'users',
        'tickets',
        'messages',
        'events',
        'categories',
        'canned_replies',
        'ratings',
        'telegram_updates',
        'attachments',
      ]),
    );
    expect(first.applied).toBeGreaterThanOrEqual(1);
    await runMigrations(database.url);
    expect(await schemaFingerprint(database.url)).toEqual(first);
  });
});
