import { sql } from 'drizzle-orm';
import type { DbFixture } from './helpers';
import { explainNodes, loadTickets } from './plans';

/**
 * `tag=` must not cost O(table) (issue 19): at 60,000 tickets the list's page statement for a tag on half of
 * them, on one in two thousand, and on none, reads a few hundred rows at most and never scans the table — the
 * GIN index (0015) hands over a rare tag's tickets, the list's own order index serves a common one.
 */
let f: DbFixture;
const TICKETS = 60_000;

beforeAll(async () => {
  f = await loadTickets(
    'db_tag_plan',
    TICKETS,
    sql`last_message_at, tags`,
    sql`now() - i * interval '1 second',
      case when i % 2 = 0 then array['common'] when i % 2000 = 1 then array['rare'] else '{}'::text[] end`,
  );
}, 120_000);
afterAll(async () => {
  await f.close();
});

/** The page statement of `GET /tickets?tag=` (ticket-list.ts), explained as it ran. */
async function explain(tag: string) {
  const all = await explainNodes(
    f.client.db,
    sql`select id from tickets where tags @> array[${tag}]::text[]
      order by last_message_at desc, id desc limit 51`,
  );
  const read = all
    .filter((n) => n['Relation Name'] === 'tickets' || n['Node Type'].startsWith('Bitmap Index'))
    .reduce((sum, n) => sum + n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0), 0);
  return { types: all.map((n) => `${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : ''}`), read };
}

it.each([
  ['common', 51],
  ['rare', TICKETS / 2000],
  ['absent', 0],
])('tag=%s reads a page, not the table', async (tag, found) => {
  const rows = await f.client.db.execute<{ id: number }>(
    sql`select id from tickets where tags @> array[${tag}]::text[] order by last_message_at desc, id desc limit 51`,
  );
  expect(rows.rows).toHaveLength(found);
  const { types, read } = await explain(tag);
  // Measured: common walks tickets_last_message_idx (102 rows), rare and absent a tickets_tags_idx bitmap.
  expect(types.filter((t) => t.startsWith('Seq Scan'))).toEqual([]);
  expect(read).toBeLessThan(1_000);
});
