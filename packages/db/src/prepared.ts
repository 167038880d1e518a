import type { Queryable } from './client';

// Per handle (the pool's database, or one pooled connection's transaction handle), by statement name.
const cache = new WeakMap<Queryable, Map<string, unknown>>();

/**
 * A drizzle prepared statement built once per handle: hot statements skip drizzle's SQL builder (about
 * 0.1 ms of CPU a query) and Postgres's parse and plan on every use after the first. `build` must pass
 * `name` to `.prepare(name)` and depend on nothing but the handle; the values go in as placeholders.
 * For a statement drizzle's builders cannot express (CTEs over `unnest`ed arrays), see rendered.ts: the
 * same named prepared statement, its SQL rendered once per process instead of built per handle.
 */
export function prepared<T>(q: Queryable, name: string, build: (q: Queryable) => T): T {
  let statements = cache.get(q);
  if (!statements) {
    statements = new Map();
    cache.set(q, statements);
  }
  let statement = statements.get(name) as T | undefined;
  if (statement === undefined) {
    statement = build(q);
    statements.set(name, statement);
  }
  return statement;
}
