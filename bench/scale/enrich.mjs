// bench/scale enrichment: the data of the features added after the fill's migration (0005), written once the
// database is fully migrated, in set-based SQL: tags on a third of the tickets (common ones and a rare one), SLA
// due times on the working tickets (a third of them past due, some due within the hour) and breaches on some
// resolved ones, a shared phone on a third of the customers, an uploaded file (one small blob) on one message
// in twenty, and a forum topic for every ticket. Triggers are off for the writes (session_replication_role),
// as in a bulk load; the rollups they would keep are then rebuilt from the tables: tag counts, and the
// per-agent report through the project's own tikethet_agent_stats_rebuild(). Safe to run again: every write
// sets absolute values or replaces what the last run added.
import { CUSTOMER_BASE, withClient } from './generate.mjs';

/** Bump when the enrichment changes: a database enriched by another version is enriched again. */
export const ENRICH_VERSION = 1;
/** The forum group every topic is in, and how a ticket's thread id derives from its id. */
export const TOPIC_CHAT = -1001234567890;
export const threadOf = (ticketId) => ticketId + 10;
/** Tags and the share of tickets carrying each (by a hash of the id); `legal` is the rare one. */
export const TAGS = [
  ['billing', 5],
  ['delivery', 10],
  ['refund', 20],
  ['bug', 33],
  ['vip', 50],
  ['legal', 2000],
];
/** A customer `CUSTOMER_BASE + i` shared a phone when i % 3 = 0: 79 and nine digits derived from i. */
export const phoneOf = (i) => `79${String((i * 7919) % 1_000_000_000).padStart(9, '0')}`;
const phoneSql = (i) => `'79' || lpad(((${i})::bigint * 7919 % 1000000000)::text, 9, '0')`;

function statements() {
  const tagArray = `array_remove(array[${TAGS.map(
    ([name, every], k) => `case when abs(hashint4(id + ${k * 1000003})) % ${every} = 0 then '${name}' end`,
  ).join(', ')}], null)`;
  return [
    [
      'tickets: tags, SLA due times and breaches',
      `update tickets set tags = ${tagArray},
        sla_due_at = case when status in ('new','open','pending')
          then now() + ((abs(hashint4(id + 7)) % 8640) - 2880) * interval '1 minute' end,
        sla_resolution_due_at = case when status in ('new','open','pending')
          then now() + ((abs(hashint4(id + 7)) % 8640) - 2880) * interval '1 minute' end,
        sla_resolution_since = case when status in ('new','open','pending') then created_at end,
        sla_breached_at = case when status in ('resolved','closed') and abs(hashint4(id + 11)) % 7 = 0
          then resolved_at end
      where cardinality(tags) > 0 or cardinality(${tagArray}) > 0 or status in ('new','open','pending')
        or sla_due_at is not null or sla_breached_at is not null
        or (status in ('resolved','closed') and abs(hashint4(id + 11)) % 7 = 0)`,
    ],
    ['tags: clear', 'delete from tags'],
    [
      'tags: counts',
      `insert into tags (name, tickets) select name, count(*) from tickets, unnest(tags) name group by name`,
    ],
    [
      'users: phones',
      `update users set phone = case when (id - ${CUSTOMER_BASE}) % 3 = 0 then ${phoneSql(`id - ${CUSTOMER_BASE}`)} end,
        phone_verified = (id - ${CUSTOMER_BASE}) % 6 = 0
      where role = 'customer'`,
    ],
    ['topics: clear', 'delete from ticket_topics'],
    [
      'topics',
      `insert into ticket_topics (ticket_id, chat_id, thread_id, mirrored_seq, name, created_at, updated_at)
      select id, ${TOPIC_CHAT}, id + 10, last_seq, left(subject, 128), created_at, last_message_at from tickets`,
    ],
    ['attachments: clear', 'delete from attachments'],
    ['blobs: clear', 'delete from blobs'],
    [
      'blob',
      `with b as (insert into blobs (id, store, size, sha256) values (1, 'pg', 4, encode(sha256('scal'::bytea), 'hex'))
        returning id)
      insert into blob_chunks (blob_id, n, data) select id, 0, 'scal'::bytea from b`,
    ],
    [
      'attachments',
      `insert into attachments (message_id, kind, blob_id, file_name, mime_type, size, created_at)
      select id, 'document', 1, 'scan-' || id || '.pdf', 'application/pdf', 4, created_at
      from messages where id % 20 = 0 order by id`,
    ],
    ['report rollup', 'select tikethet_agent_stats_rebuild()'],
  ];
}

/** Writes the enrichment into a migrated database; returns how long each statement took. */
export async function enrich(url, log = console.log) {
  const t0 = Date.now();
  await withClient(url, async (c) => {
    await c.query(`set synchronous_commit = off; set maintenance_work_mem = '512MB'; set work_mem = '256MB';
      set session_replication_role = replica`);
    for (const [label, text] of statements()) {
      const t = Date.now();
      const r = await c.query(text);
      log(`  enrich ${label}: ${r.rowCount ?? ''} rows, ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    await c.query(`select setval('attachments_id_seq', greatest((select max(id) from attachments), 1)),
      setval('blobs_id_seq', 1)`);
    await c.query('set session_replication_role = origin');
    for (const t of [
      'tickets',
      'users',
      'tags',
      'ticket_topics',
      'attachments',
      'agent_stats_daily',
      'agent_stats_monthly',
    ]) {
      await c.query(`vacuum (analyze) ${t}`);
    }
  });
  const s = Math.round((Date.now() - t0) / 100) / 10;
  log(`  enriched in ${s} s`);
  return s;
}
