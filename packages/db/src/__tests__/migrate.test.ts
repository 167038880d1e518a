import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@tikethet/testkit';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { migrationsFolder, NO_TRANSACTION_MARKER, readMigrationFiles, runMigrations } from '../migrate';

const databases: TestDatabase[] = [];
const folders: string[] = [];
async function freshDatabase(label: string): Promise<TestDatabase> {
  const database = await createTestDatabase(label);
  databases.push(database);
  return database;
}
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function schemaFingerprint(url: string) {
  const tables = await query<{ table_name: string }>(
    url,
    "select table_name from information_schema.tables where table_schema = 'public' order by 1",
  );
  const columns = await query<{ n: string }>(
    url,
    "select count(*) as n from information_schema.columns where table_schema = 'public'",
  );
  const indexes = await query<{ indexname: string }>(
    url,
    "select indexname from pg_indexes where schemaname = 'public' order by 1",
  );
  return {
    tables: tables.map((r) => r.table_name),
    columns: Number(columns[0]?.n),
    indexes: indexes.map((r) => r.indexname),
    applied: await appliedHashes(url),
  };
}

const appliedHashes = async (url: string) =>
  (await query<{ hash: string }>(url, 'select hash from drizzle.__drizzle_migrations order by id')).map(
    (r) => r.hash,
  );

function emptyMigrationsFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'tt-migrations-'));
  folders.push(folder);
  mkdirSync(path.join(folder, 'meta'));
  return folder;
}

/** A migrations folder of its own: `files` in journal order, tag -> SQL. */
function migrationsOf(files: Record<string, string>): string {
  const folder = emptyMigrationsFolder();
  const entries = Object.keys(files).map((tag, idx) => ({
    idx,
    version: '7',
    when: 1_700_000_000_000 + idx,
    tag,
    breakpoints: true,
  }));
  writeFileSync(
    path.join(folder, 'meta', '_journal.json'),
    JSON.stringify({ version: '7', dialect: 'postgresql', entries }),
  );
  for (const [tag, text] of Object.entries(files)) writeFileSync(path.join(folder, `${tag}.sql`), text);
  return folder;
}

describe('runMigrations', () => {
  it('three concurrent runs then a rerun leave one intact schema', async () => {
    const database = await freshDatabase('migrate');
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
    expect(first.applied).toEqual(readMigrationFiles().map((m) => m.hash));
    await runMigrations(database.url);
    expect(await schemaFingerprint(database.url)).toEqual(first);
  });

  it('concurrent runs install the job queue once, without racing on its schema', async () => {
    // Our migrations already applied: every run goes straight on to graphile-worker's schema, all at once.
    const last = readMigrationFiles().at(-1)?.tag ?? '';
    for (let round = 0; round < 3; round++) {
      const database = await freshDatabase('migrate_queue');
      await runMigrations(database.url, { until: last });
      const runs = await Promise.allSettled(Array.from({ length: 6 }, () => runMigrations(database.url)));
      expect(runs.filter((r) => r.status === 'rejected')).toEqual([]);
      const installed = await query<{ n: string }>(
        database.url,
        'select count(*) as n from graphile_worker.migrations',
      );
      expect(Number(installed[0]?.n)).toBeGreaterThan(0);
    }
  });

  it('runs a marked migration statement by statement outside a transaction, once', async () => {
    const database = await freshDatabase('migrate_notx');
    const folder = migrationsOf({
      '0000_table':
        'create table t (id serial primary key, v int);\n--> statement-breakpoint\ninsert into t (v) values (1), (2);',
      // Inside a transaction block (or sent as one multi-statement query) Postgres refuses CONCURRENTLY.
      '0001_indexes': `${NO_TRANSACTION_MARKER}\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "t_v_idx" ON t (v);\n--> statement-breakpoint\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "t_v_uq" ON t (v);`,
    });
    await runMigrations(database.url, { folder });
    const valid = `select c.relname as name, i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
      where c.relname in ('t_v_idx', 't_v_uq') order by 1`;
    expect(await query(database.url, valid)).toEqual([
      { name: 't_v_idx', valid: true },
      { name: 't_v_uq', valid: true },
    ]);
    expect(await appliedHashes(database.url)).toEqual(readMigrationFiles(folder).map((m) => m.hash));
    await runMigrations(database.url, { folder });
    expect(await appliedHashes(database.url)).toHaveLength(2);
  });

  it('a concurrent index build that failed is dropped and rebuilt on the rerun', async () => {
    const database = await freshDatabase('migrate_invalid');
    const folder = migrationsOf({
      '0000_table':
        'create table t (id serial primary key, v int);\n--> statement-breakpoint\ninsert into t (v) values (1), (1);',
      '0001_unique': `${NO_TRANSACTION_MARKER}\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "t_v_uq" ON t (v);`,
    });
    await expect(runMigrations(database.url, { folder })).rejects.toThrow(
      /duplicate|could not create unique index/i,
    );
    const state = `select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 't_v_uq'`;
    expect(await query(database.url, state)).toEqual([{ valid: false }]);
    expect(await appliedHashes(database.url)).toHaveLength(1);
    await query(database.url, 'delete from t where id = (select max(id) from t)');
    await runMigrations(database.url, { folder });
    expect(await query(database.url, state)).toEqual([{ valid: true }]);
    expect(await appliedHashes(database.url)).toHaveLength(2);
  });

  it('until stops after the named migration and a later run applies the rest', async () => {
    const database = await freshDatabase('migrate_until');
    const all = readMigrationFiles();
    await runMigrations(database.url, { until: '0005_events_data_objects' });
    expect(await appliedHashes(database.url)).toEqual(all.slice(0, 6).map((m) => m.hash));
    await runMigrations(database.url);
    expect(await appliedHashes(database.url)).toEqual(all.map((m) => m.hash));
    await expect(runMigrations(database.url, { until: '9999_nothing' })).rejects.toThrow(/9999_nothing/);
  });

  it('continues a database that drizzle’s own migrator brought to 0005', async () => {
    const database = await freshDatabase('migrate_drizzle');
    const folder = emptyMigrationsFolder();
    const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'));
    journal.entries = journal.entries.slice(0, 6);
    writeFileSync(path.join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
    for (const { tag } of journal.entries)
      copyFileSync(path.join(migrationsFolder, `${tag}.sql`), path.join(folder, `${tag}.sql`));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await migrate(drizzle(client), { migrationsFolder: folder });
    } finally {
      await client.end();
    }
    await runMigrations(database.url);
    expect(await appliedHashes(database.url)).toEqual(readMigrationFiles().map((m) => m.hash));
  });
});
