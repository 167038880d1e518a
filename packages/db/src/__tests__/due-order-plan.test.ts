import { sql } from 'drizzle-orm';
import type { DbFixture } from './helpers';
import { explainNodes, loadTickets } from './plans';

/**
 * The due order and the SLA filters must not cost O(table) (issue 17): at 60,000 tickets, 1,200 of them with a
 * running timer (a third past due), the page statements of `sort=due`, `sla=breached` and `sla=due_soon`
 * (ticket-list.ts: `sla_due_at is not null`, ordered by (sla_due_at, id)) read through tickets_sla_due_idx
 * (0010): a page, or the tickets past due, never the table.
 */
let f: DbFixture;
const TICKETS = 60_000;

beforeAll(async () => {
  f = await loadTickets(
    'db_due_plan',
    TICKETS,
    sql`status, last_message_at, sla_due_at`,
    sql`case when i % 50 = 0 then 'open' else 'closed' end, now() - i * interval '1 second',
      case when i % 50 = 0 then now() + ((i / 50) % 144 - 48) * interval '30 minutes' end`,
  );
}, 120_000);
afterAll(async () => {
  await f.close();
});

const filters = {
  due: sql``,
  breached: sql`and sla_due_at <= now()`,
  due_soon: sql`and sla_due_at > now() and sla_due_at <= now() + interval '60 minutes'`,
};

it.each([
  // Measured: the due order walks the index for a page (51 rows); the breached ones (440 of them) and the 16 due
  // within the hour come as a bitmap of that index, sorted: at most the tickets past due, never the table.
  ['due', 51, 102],
  ['breached', 51, 600],
  ['due_soon', 16, 102],
] as const)('the %s list reads through tickets_sla_due_idx, not the table', async (name, found, most) => {
  const page = sql`select id from tickets where sla_due_at is not null ${filters[name]}
    order by sla_due_at, id limit 51`;
  expect((await f.client.db.execute(page)).rows).toHaveLength(found);
  const all = await explainNodes(f.client.db, page);
  expect(all.map((n) => n['Node Type'])).not.toContain('Seq Scan');
  expect([...new Set(all.flatMap((n) => n['Index Name'] ?? []))]).toEqual(['tickets_sla_due_idx']);
  const read = all
    .filter((n) => n['Relation Name'] === 'tickets')
    .reduce((sum, n) => sum + n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0), 0);
  expect(read).toBeLessThanOrEqual(most);
});
