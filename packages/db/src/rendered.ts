import { fillPlaceholders, type SQL, sql } from 'drizzle-orm';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { Queryable } from './client';

/**
 * A statement whose SQL text is fixed: built with drizzle's `sql` once per process, then run as a named
 * prepared statement. Each use only fills in the values — no SQL building in JavaScript, no parse or plan in
 * Postgres after a connection's first use. For hot statements whose shape drizzle's builders cannot keep
 * fixed (multi-row writes pass arrays and `unnest` them).
 */
export interface RenderedStatement {
  name: string;
  text: string;
  params: unknown[];
}

export const dialect = new PgDialect();

/** A named value of a rendered statement, filled in by `runRendered`. */
export const p = (name: string): SQL => sql`${sql.placeholder(name)}`;

const rendered = new Map<string, RenderedStatement>();

/** Renders `build()` the first time `name` is asked for; the same statement afterwards. */
export function renderOnce(name: string, build: () => SQL): RenderedStatement {
  const known = rendered.get(name);
  if (known) return known;
  const query = dialect.sqlToQuery(build());
  const statement = { name, text: query.sql, params: query.params };
  rendered.set(name, statement);
  return statement;
}

/** The pg pool or pooled connection behind a drizzle handle (the pool's database, or a transaction). */
export function clientOf(q: Queryable): pg.Pool | pg.PoolClient {
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
