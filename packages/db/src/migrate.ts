import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { installJobQueue } from './job-queue';

/** Any constant: every migrator takes the same advisory lock, so concurrent runs apply migrations once. */
const MIGRATION_LOCK_KEY = 7_411_902_315;
/**
 * Every statement here goes as one simple-protocol message (values written into the text, never bound): the
 * embedded PGlite serves all connections from one session and interleaves the messages of parameterised
 * queries of different connections outside a transaction.
 */
/** How often a migrator that found the lock taken asks again. */
const LOCK_POLL_MS = 100;

export const migrationsFolder = path.join(__dirname, '..', 'drizzle');

/**
 * A migration whose file starts with this line runs statement by statement outside any transaction (what
 * `CREATE INDEX CONCURRENTLY` needs). Each of its statements must be safe to run again (`IF NOT EXISTS`):
 * a run that stopped half-way is rerun whole.
 */
export const NO_TRANSACTION_MARKER = '-- tikethet:no-transaction';

export interface MigrationFile {
  tag: string;
  /** The journal's `when`: drizzle's bookkeeping compares it with the newest applied `created_at`. */
  when: number;
  /** sha256 of the file, as drizzle records it. */
  hash: string;
  statements: string[];
  transactional: boolean;
}

export interface MigrateOptions {
  /** Stop after the migration with this tag (e.g. `0005_events_data_objects`); later ones stay pending. */
  until?: string;
  /** The folder holding `meta/_journal.json` and the SQL files (tests use their own). */
  folder?: string;
}

/** The migrations of the journal in order, read the way drizzle reads them (same statements, same hash). */
export function readMigrationFiles(folder = migrationsFolder): MigrationFile[] {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string; when: number }[];
  };
  return journal.entries.map(({ tag, when }) => {
    const text = readFileSync(path.join(folder, `${tag}.sql`), 'utf8');
    return {
      tag,
      when,
      hash: createHash('sha256').update(text).digest('hex'),
      statements: text.split('--> statement-breakpoint').filter((s) => s.trim() !== ''),
      transactional: !text.trimStart().startsWith(NO_TRANSACTION_MARKER),
    };
  });
}

/**
 * Polls for the migration lock instead of blocking in `pg_advisory_lock`: a session waiting inside a
 * statement holds a snapshot, and `CREATE INDEX CONCURRENTLY` in the lock holder waits for every older
 * snapshot, so a blocked waiter and the holder would deadlock.
 */
async function acquireLock(client: pg.Client): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>(
      `select pg_try_advisory_lock(${MIGRATION_LOCK_KEY}) as ok`,
    );
    if (rows[0]?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

const CONCURRENT_INDEX =
  /create\s+(?:unique\s+)?index\s+concurrently\s+if\s+not\s+exists\s+"?([a-z0-9_]+)"?/i;

/**
 * A `CREATE INDEX CONCURRENTLY` that failed (a deadlock, a cancel, a duplicate) leaves an INVALID index that
 * `IF NOT EXISTS` would then keep forever: drop it so the statement builds it again.
 */
async function dropInvalidIndex(client: pg.Client, statement: string): Promise<void> {
  const name = CONCURRENT_INDEX.exec(statement)?.[1];
  if (!name) return;
  const { rows } = await client.query<{ valid: boolean }>(
    `select indisvalid as valid from pg_index where indexrelid = to_regclass(${client.escapeLiteral(name)})`,
  );
  if (rows[0] && !rows[0].valid) await client.query(`drop index concurrently if exists "${name}"`);
}

/** drizzle's rule: pending while its `when` is newer than the newest `created_at` recorded. */
async function isPending(client: pg.Client, migration: MigrationFile): Promise<boolean> {
  const { rows } = await client.query<{ pending: boolean }>(
    `select coalesce(max(created_at), -1) < ${Number(migration.when)} as pending from drizzle.__drizzle_migrations`,
  );
  return rows[0]?.pending === true;
}

/**
 * Runs one migration if it is still pending. The check and the record share the migration's transaction (a
 * short one of their own for a no-transaction migration): the embedded PGlite serves every connection from
 * one session, where the advisory lock excludes nobody, but a transaction keeps the session to itself.
 */
async function apply(client: pg.Client, migration: MigrationFile): Promise<void> {
  if (!migration.transactional) {
    if (!(await isPending(client, migration))) return;
    for (const statement of migration.statements) {
      await dropInvalidIndex(client, statement);
      await client.query(statement);
    }
  }
  await client.query('begin');
  try {
    if (await isPending(client, migration)) {
      if (migration.transactional) {
        for (const statement of migration.statements) await client.query(statement);
      }
      await client.query(
        `insert into drizzle.__drizzle_migrations (hash, created_at) values (${client.escapeLiteral(migration.hash)}, ${Number(migration.when)})`,
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

/**
 * Applies the committed SQL migrations, each in a transaction of its own, except those marked
 * {@link NO_TRANSACTION_MARKER}, which run outside one. Keeps drizzle's bookkeeping table
 * (`drizzle.__drizzle_migrations`: a migration is pending while its `when` is newer than the newest
 * `created_at` recorded there), so databases migrated by drizzle's own migrator continue. Safe when several
 * run at once (an advisory lock serialises them; the later ones find nothing left to do) and a no-op on rerun.
 */
export async function runMigrations(url: string, options: MigrateOptions = {}): Promise<void> {
  let migrations = readMigrationFiles(options.folder);
  if (options.until !== undefined) {
    const last = migrations.findIndex((m) => m.tag === options.until);
    if (last < 0) throw new Error(`no migration is tagged ${options.until}`);
    migrations = migrations.slice(0, last + 1);
  }
  const client = new pg.Client({ connectionString: url, application_name: 'tikethet-migrate' });
  await client.connect();
  try {
    await acquireLock(client);
    try {
      await client.query('create schema if not exists drizzle');
      await client.query(
        'create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)',
      );
      for (const migration of migrations) await apply(client, migration);
    } finally {
      await client.query(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  } finally {
    await client.end();
  }
  // The SLA timers' job queue (graphile-worker keeps its own schema and migrations; the tickets trigger of 0009
  // adds jobs to it). After ours, on a connection of its own: the embedded server takes one at a time.
  if (options.until === undefined && options.folder === undefined) await installJobQueue(url);
}
