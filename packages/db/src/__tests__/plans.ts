import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { type DbFixture, setupDb } from './helpers';

/** A node of `EXPLAIN (ANALYZE, FORMAT JSON)`, the fields the plan tests read. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** The plan's nodes, the root first. */
export function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** Runs `statement` under EXPLAIN ANALYZE and returns every node of its plan. */
export async function explainNodes(q: Queryable, statement: SQL): Promise<PlanNode[]> {
  const result = await q.execute<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    sql`explain (analyze, format json) ${statement}`,
  );
  return nodes(result.rows[0]?.['QUERY PLAN'][0].Plan as PlanNode);
}

/**
 * A database of its own (`name`) with `count` tickets of one customer, loaded as bench/scale loads them (triggers
 * off: no timers, rollups or tag counts kept) and analyzed; `columns` are the tickets' columns after customer_id
 * and subject, `values` their values as SQL over the row number `i`.
 */
export async function loadTickets(
  name: string,
  count: number,
  columns: SQL,
  values: SQL,
): Promise<DbFixture> {
  const f = await setupDb(name);
  await f.client.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(sql`insert into users (id, first_name) values (5001, 'Load')`);
    await tx.execute(sql`insert into tickets (customer_id, subject, ${columns})
      select 5001, 'ticket ' || i, ${values} from generate_series(1, ${count}) as i`);
  });
  await f.client.db.execute(sql`analyze tickets`);
  return f;
}
