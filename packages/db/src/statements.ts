import { fillPlaceholders, type SQL, sql } from 'drizzle-orm';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { Queryable } from './client';

/**
 * The one statement cache of the use-cases. Hot statements are named prepared statements: built once, so
 * they skip drizzle's SQL builder (about 0.1 ms of CPU a query) and Postgres's parse and plan on every use
 * after a connection's first. Two ways in, one cache:
 * - `prepared(q, name, build)`: a statement drizzle's builders express; a drizzle prepared statement is bound
 *   to its handle (the pool's database, or one pooled connection's transaction handle), so it is kept per handle.
 * - `rendered(name, build)` + `runRendered`: a statement drizzle's builders cannot keep fixed (multi-row writes
 *   that pass arrays and `unnest` them, CTEs); its SQL text is rendered once per process and runs on any handle.
 */
const cache = new WeakMap<object, Map<string, unknown>>();
/** The key of the statements that belong to no handle (rendered SQL). */
const processWide = {};

function cached<T>(owner: object, name: string, build: () => T): T {
  let statements = cache.get(owner);
  if (!statements) {
    statements = new Map();
    cache.set(owner, statements);
  }
  let statement = statements.get(name) as T | undefined;
  if (statement === undefined) {
    statement = build();
    statements.set(name, statement);
  }
  return statement;
}

/**
 * A drizzle prepared statement built once per handle. `build` must pass `name` to `.prepare(name)` and
 * depend on nothing but the handle; the values go in as placeholders.
 */
export function prepared<T>(q: Queryable, name: string, build: (q: Queryable) => T): T {
  return cached(q, name, () => build(q));
}

/** A statement whose SQL text is fixed, run as a named prepared statement by `runRendered`. */
export interface RenderedStatement {
  name: string;
  text: string;
  params: unknown[];
}

export const dialect = new PgDialect();

/** A named value of a rendered statement, filled in by `runRendered`. */
export const p = (name: string): SQL => sql`${sql.placeholder(name)}`;

/** Renders `build()` the first time `name` is asked for; the same statement afterwards. */
export function rendered(name: string, build: () => SQL): RenderedStatement {
  return cached(processWide, name, () => {
    const query = dialect.sqlToQuery(build());
    return { name, text: query.sql, params: query.params };
  });
}

/** The pg pool or pooled connection behind a drizzle handle (the pool's database, or a transaction). */
function clientOf(q: Queryable): pg.Pool | pg.PoolClient {
  return (q as unknown as { $client: pg.Pool | pg.PoolClient }).$client;
}

/**
 * Runs the statement with the given values. A failure is shaped like every other failed query of the
 * use-cases: drizzle's DrizzleQueryError, with the pg error (code, constraint) as its cause.
 */
export async function runRendered<R extends pg.QueryResultRow>(
  q: Queryable,
  statement: RenderedStatement,
  values: Record<string, unknown>,
): Promise<R[]> {
  const params = fillPlaceholders(statement.params, values);
  try {
    const result = await clientOf(q).query<R>({ name: statement.name, text: statement.text, values: params });
    return result.rows;
  } catch (error) {
    throw new DrizzleQueryError(statement.text, params, error as Error);
  }
}
