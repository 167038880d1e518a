// The reference for bench/api-read: bare Express routes running the same SQL as the API's use-cases
// (getTicket: ticket, people, customer stats; listTickets for staff: one page with unread counts) on raw pg.
// No auth, no validation, no logging: the floor the real API is compared against.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const express = createRequire(path.join(root, 'apps/api/package.json'))('express');
const pg = createRequire(path.join(root, 'packages/db/package.json'))('pg');
pg.types.setTypeParser(20, (v) => Number(v));

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
});
const AGENT_ID = Number(process.env.BENCH_AGENT_ID);

const iso = (v) => (v === null ? null : new Date(v).toISOString());
function ticketOf(r) {
  return {
    id: r.id,
    subject: r.subject,
    status: r.status,
    priority: r.priority,
    categoryId: r.category_id,
    customerId: r.customer_id,
    assigneeId: r.assignee_id,
    version: r.version,
    lastSeq: r.last_seq,
    source: r.source,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    lastMessageAt: iso(r.last_message_at),
    lastMessagePreview: r.last_message_preview,
    firstResponseAt: iso(r.first_response_at),
    resolvedAt: iso(r.resolved_at),
    closedAt: iso(r.closed_at),
    rating: r.rating,
  };
}
const summary = (u) => ({
  id: u.id,
  firstName: u.first_name,
  lastName: u.last_name,
  username: u.username,
  role: u.role,
});

const app = express();
app.get('/api/v1/tickets/:id', async (req, res) => {
  const id = Number(req.params.id);
  const t = (await pool.query('select * from tickets where id = $1', [id])).rows[0];
  if (!t) return res.status(404).json({ error: { code: 'not_found' } });
  const ids = t.assignee_id ? [t.customer_id, t.assignee_id] : [t.customer_id];
  const people = (await pool.query('select * from users where id = any($1)', [ids])).rows;
  const s = (
    await pool.query(
      'select count(*)::int as count, avg(rating)::float as avg from tickets where customer_id = $1',
      [t.customer_id],
    )
  ).rows[0];
  const customer = people.find((u) => u.id === t.customer_id);
  const assignee = t.assignee_id ? people.find((u) => u.id === t.assignee_id) : null;
  res.json({
    ...ticketOf(t),
    customer: {
      ...summary(customer),
      languageCode: customer.language_code,
      photoUrl: customer.photo_url,
      ticketCount: s.count,
      averageRating: s.avg,
    },
    assignee: assignee ? summary(assignee) : null,
  });
});
app.get('/api/v1/tickets', async (req, res) => {
  const limit = Number(req.query.limit ?? 20);
  const rows = (
    await pool.query(
      `select t.*, u.first_name as c_first_name, u.last_name as c_last_name, u.username as c_username, u.role as c_role,
        to_char(t.last_message_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at,
        (select count(*)::int from messages m where m.ticket_id = t.id and m.kind = 'customer'
          and m.seq > coalesce((select r.last_read_seq from ticket_reads r where r.ticket_id = t.id and r.user_id = $1), 0)) as unread
       from tickets t join users u on u.id = t.customer_id order by t.last_message_at desc, t.id desc limit $2`,
      [AGENT_ID, limit + 1],
    )
  ).rows;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  res.json({
    items: page.map((r) => ({
      ...ticketOf(r),
      unread: r.unread,
      customer: {
        id: r.customer_id,
        firstName: r.c_first_name,
        lastName: r.c_last_name,
        username: r.c_username,
        role: r.c_role,
      },
    })),
    nextCursor:
      rows.length > limit && last
        ? Buffer.from(JSON.stringify([last.cursor_at, last.id])).toString('base64url')
        : null,
  });
});
app.get('/readyz', (_req, res) => res.json({ status: 'ready' }));
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  pool.end().finally(() => process.exit(0));
});
