import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema';

export type Schema = typeof schema;
export type Database = NodePgDatabase<Schema> & { $client: pg.Pool };
/**
 * An open transaction: a drizzle handle bound to one pooled connection between BEGIN and COMMIT. (Not
 * drizzle's own `db.transaction`, which leaks the connection when BEGIN itself fails on a dead backend.)
 */
export type Transaction = NodePgDatabase<Schema> & { readonly [inTransaction]: true };
const inTransaction: unique symbol = Symbol('tikethet.transaction');
/** Either the pool-backed database or an open transaction: read helpers accept both. */
export type Queryable = Database | Transaction;

/** A process's database: the drizzle handle the use-cases take, a readiness probe, and the way to close it. */
export interface DbClient {
  db: Database;
  /** Ready when a trivial query answers within the timeout (health checks). */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

// bigint columns (counts, ids) arrive as strings by default; our ids fit in 52 bits.
pg.types.setTypeParser(20, (v) => Number(v));

export interface CreateDbOptions {
  max?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  /**
   * Postgres `statement_timeout` of every connection (ms; unset or 0: none), sent at connect: a statement past
   * it fails with SQLSTATE 57014 (`isStatementTimeout`) and the connection stays usable.
   */
  statementTimeoutMs?: number;
}

/** One pool per process. Errors on idle clients (a terminated backend) are logged by the pool, not thrown. */
export function createDb(url: string, options: CreateDbOptions = {}): DbClient {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'tikethet',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  pool.on('error', () => {
    // A backend was terminated while the client sat idle; the pool drops it and opens a new one on demand.
  });
  pool.on('connect', (client) => {
    // A backend terminated while the client is checked out fails the query in flight (and the caller retries);
    // the client-level 'error' event that accompanies it must not crash the process.
    client.on('error', () => undefined);
  });
  const db = drizzle(pool, { schema });
  return {
    db,
    ping: (timeoutMs) => pingDb(pool, timeoutMs),
    async close() {
      await pool.end();
    },
  };
}

/** Ready when a trivial query answers within the timeout. */
async function pingDb(pool: pg.Pool, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      pool.query('select 1').then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

export function isTransaction(q: Queryable): q is Transaction {
  return (q as Partial<Transaction>)[inTransaction] === true;
}

// One drizzle handle per pooled connection, reused by every transaction on it: statements prepared on a
// handle (prepared.ts) then live as long as the connection, as Postgres keeps them.
const handles = new WeakMap<pg.PoolClient, Transaction>();

function handleOf(client: pg.PoolClient): Transaction {
  let tx = handles.get(client);
  if (!tx) {
    // Without the relational schema: building it costs ~150 µs per instance; the select builder needs none.
    tx = Object.assign(drizzle(client), { [inTransaction]: true as const }) as unknown as Transaction;
    handles.set(client, tx);
  }
  return tx;
}

/**
 * BEGIN … COMMIT on one pooled connection. A failure rolls back; a connection that broke (or whose ROLLBACK
 * failed) is destroyed instead of going back to the pool.
 */
export async function runTransaction<T>(db: Database, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return runPgTransaction(db.$client, (client) => fn(handleOf(client)));
}

/** `runTransaction` on the bare pg connection. */
export async function runPgTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
