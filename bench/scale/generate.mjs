// bench/scale generator: a database of its own filled with N tickets (5 messages each, notes among them, their
// events, read markers, ratings), N/10 customers and 40 agents over two years, in SQL (INSERT … SELECT over
// generate_series), schema first through the project's migrations. A database is reused when its
// bench_scale_meta row says it is complete for the same N and generator version; otherwise it is dropped and
// rebuilt. Usage alone: `node bench/scale/generate.mjs [tickets] [database]` (after `pnpm build`).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as words from './words.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const requireDb = createRequire(path.join(root, 'packages/db/package.json'));
/** Workspace packages by their package names, as the root package depends on them. */
export const requireRoot = createRequire(path.join(root, 'package.json'));
const pg = requireDb('pg');

/** Bump when the generated data changes: databases of another version are rebuilt. */
export const GENERATOR_VERSION = 2;
export const AGENTS = 40;
export const CUSTOMER_BASE = 5_000_000_000;
export const AGENT_BASE = 6_000_000_000;
/** Phrases per (language, kind) pool that message bodies are drawn from. */
const PHRASES = 2000;
/** The tables the fill writes; their secondary indexes and foreign keys are rebuilt after it. */
const FILLED = ['users', 'categories', 'tickets', 'messages', 'events', 'ratings', 'ticket_reads'];

export const customersFor = (tickets) => Math.max(200, Math.round(tickets / 10));

export function adminUrl() {
  return (
    process.env.SCALE_ADMIN_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

export function databaseUrl(name) {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** sha256 of each migration file by tag: a copy migrated from other files than today's is made again. */
export function migrationHashes() {
  return Object.fromEntries(
    migrationTags().map((tag) => [
      tag,
      createHash('sha256')
        .update(fs.readFileSync(path.join(root, 'packages/db/drizzle', `${tag}.sql`)))
        .digest('hex'),
    ]),
  );
}

/** The migration tags in order, from the committed journal. */
export function migrationTags() {
  return journalEntries().map((e) => e.tag);
}

/** The journal as it is on disk now (read afresh: migrations may be added while the bench runs). */
function journalEntries() {
  const file = path.join(root, 'packages/db/drizzle/meta/_journal.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).entries;
}

export async function withClient(url, fn) {
  const c = new pg.Client({ connectionString: url, application_name: 'bench-scale' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The bench_scale_meta of a database as an object, or null when the database or the table is missing. */
export async function readMeta(name) {
  const exists = await withClient(adminUrl(), (c) =>
    c.query('select 1 from pg_database where datname = $1', [name]),
  );
  if (exists.rowCount === 0) return null;
  return withClient(databaseUrl(name), async (c) => {
    const t = await c.query("select to_regclass('public.bench_scale_meta') as t");
    if (!t.rows[0].t) return null;
    const rows = await c.query('select key, value from bench_scale_meta');
    return Object.fromEntries(rows.rows.map((r) => [r.key, r.value]));
  });
}

export async function writeMeta(name, entries) {
  await withClient(databaseUrl(name), async (c) => {
    await c.query('create table if not exists bench_scale_meta (key text primary key, value jsonb not null)');
    for (const [key, value] of Object.entries(entries)) {
      await c.query(
        'insert into bench_scale_meta (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value',
        [key, JSON.stringify(value)],
      );
    }
  });
}

/**
 * The database's migration ledger against the committed journal: `applied` count, `pending` tags, and `holes`:
 * pending tags older than the newest applied one, which the migrator (drizzle's rule: pending while newer
 * than the newest applied) would never apply — such a database must be rebuilt.
 */
export async function ledger(url) {
  const journal = journalEntries();
  return withClient(url, async (c) => {
    const t = await c.query("select to_regclass('drizzle.__drizzle_migrations') as t");
    const done = t.rows[0].t
      ? (await c.query('select created_at::float8 as w from drizzle.__drizzle_migrations')).rows.map(
          (r) => r.w,
        )
      : [];
    const newest = done.length ? Math.max(...done) : -1;
    const pending = journal.filter((e) => !done.includes(e.when));
    return {
      applied: done.length,
      pending: pending.map((e) => e.tag),
      holes: pending.filter((e) => e.when < newest).map((e) => e.tag),
    };
  });
}

/** Drops `name` and creates it empty, or as a file copy of `template`. */
export async function recreate(name, template = null) {
  await withClient(adminUrl(), async (c) => {
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.query(
      template
        ? `create database "${name}" template "${template}" strategy file_copy`
        : `create database "${name}"`,
    );
  });
}

/**
 * Migrates up to `until` (a migration tag) when the project's runMigrations takes that option; whether it did
 * is read back from the ledger. Returns how many migrations were applied before the fill.
 */
/** The project's migrator (packages/db dist). */
export function runMigrations(url, options) {
  return requireRoot('@tikethet/db').runMigrations(url, options);
}

async function migrateSchema(url, until, log) {
  await runMigrations(url, until ? { until } : undefined);
  const { applied } = await ledger(url);
  const wanted = until ? migrationTags().indexOf(until) + 1 : migrationTags().length;
  if (until && applied !== wanted) {
    log(
      `runMigrations ignored { until: '${until}' } (${applied} of ${migrationTags().length} applied): the fill runs on the full schema`,
    );
  }
  return applied;
}

const FRAGMENT_POOLS = [words.customerFragments, words.agentFragments, words.noteFragments];

/** ISO-8601 as the API writes it (mappers.ts iso()), for JSON built in SQL. */
const iso = (ts) => `to_char((${ts}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const isoOrNull = (ts) => `case when (${ts}) is null then null else ${iso(ts)} end`;
const preview = (b) =>
  `(select case when length(x) > 140 then left(x, 139) || '…' else x end from (select btrim(regexp_replace(${b}, '\\s+', ' ', 'g')) as x) p)`;

/** The statements that fill an empty, migrated database; each is [label, sql, params]. */
function fillStatements(n) {
  const customers = customersFor(n);
  const pools = [];
  for (let lang = 0; lang < 2; lang++) {
    for (let kind = 0; kind < 3; kind++) pools.push([lang * 3 + kind, FRAGMENT_POOLS[kind][lang]]);
  }
  const poolValues = pools.map(([pool], i) => `(${pool}, $${i + 1}::text[])`).join(', ');
  // A message's kind by its position 1..5: new tickets have only the customer's; open ones end with the
  // customer, the rest with the agent; half the answered tickets carry one internal note.
  const kindsExpr = `case when status = 'new' then array['customer','customer','customer','customer','customer']
      when status = 'open' then array['customer','agent', case when has_note then 'note' else 'customer' end,'agent','customer']
      else array['customer','agent','customer', case when has_note then 'note' else 'customer' end,'agent'] end`;
  const poolOf = (kind) =>
    `(s.lang * 3 + case ${kind} when 'customer' then 0 when 'agent' then 1 else 2 end)`;
  const bodyExpr = (k) => `p.body
      || case when ${k} = 1 then case s.lang when 0 then ' Заказ №' else ' Order #' end || (100000 + (s.id::bigint * 7919) % 900000)::text else '' end
      || case when (s.id * 5 + ${k}) % 40009 = 17 then ' ${words.rareWord}' else '' end`;
  const ticketJson = (t) => `jsonb_build_object(
      'id', ${t}.id, 'subject', ${t}.subject, 'status', ${t}.status, 'priority', ${t}.priority,
      'categoryId', ${t}.category_id, 'customerId', ${t}.customer_id, 'assigneeId', ${t}.assignee_id,
      'version', ${t}.version, 'lastSeq', ${t}.last_seq, 'source', ${t}.source,
      'createdAt', ${iso(`${t}.created_at`)}, 'updatedAt', ${iso(`${t}.updated_at`)},
      'lastMessageAt', ${iso(`${t}.last_message_at`)}, 'lastMessagePreview', ${t}.last_message_preview,
      'firstResponseAt', ${isoOrNull(`${t}.first_response_at`)}, 'resolvedAt', ${isoOrNull(`${t}.resolved_at`)},
      'closedAt', ${isoOrNull(`${t}.closed_at`)}, 'rating', ${t}.rating)`;
  const pick = (arr, u, skew = 1) =>
    `(${arr})[1 + floor(array_length(${arr}, 1) * power(${u}, ${skew}))::int]`;
  return [
    [
      'categories',
      `insert into categories (id, name, position)
        select i, name, i from unnest($1::text[]) with ordinality as c(name, i)`,
      [words.categories],
    ],
    [
      'users',
      `with names as (select $1::text[] as rf, $2::text[] as ef, $3::text[] as rl, $4::text[] as el, $5::text[] as lat)
      insert into users (id, first_name, last_name, username, language_code, role, bot_chat_id, created_at, updated_at)
      select ${CUSTOMER_BASE} + i,
        case when i % 5 = 4 then ef[1 + f % array_length(ef, 1)] else rf[1 + f % array_length(rf, 1)] end,
        case when i % 10 = 3 then null
          when i % 5 = 4 then el[1 + l % array_length(el, 1)]
          else rl[1 + l % array_length(rl, 1)] || case when f % array_length(rf, 1) < 10 then 'а' else '' end end,
        case when i % 5 = 2 then null
          when i % 5 = 4 then lower(ef[1 + f % array_length(ef, 1)]) || '_' || i
          else lat[1 + f % array_length(rf, 1)] || '_' || i end,
        case when i % 5 = 4 then 'en' else 'ru' end, 'customer', ${CUSTOMER_BASE} + i,
        now() - interval '731 days' + (i::float / ${customers}) * interval '730 days',
        now() - interval '731 days' + (i::float / ${customers}) * interval '730 days'
      from names, generate_series(1, ${customers}) i,
        lateral (select abs(hashint4(i)) as f, abs(hashint4(i + 1000003)) as l) h
      union all
      select ${AGENT_BASE} + a, rf[1 + a * 3 % array_length(rf, 1)], rl[1 + a * 11 % array_length(rl, 1)],
        'agent' || a, 'ru', case when a > ${AGENTS - 2} then 'admin' else 'agent' end, null,
        now() - interval '740 days', now() - interval '740 days'
      from names, generate_series(1, ${AGENTS}) a`,
      [
        words.firstNames[0],
        words.firstNames[1],
        words.lastNames[0],
        words.lastNames[1],
        words.latinFirstNames,
      ],
    ],
    [
      'phrases',
      `create unlogged table scale_phrases as
      select pool, i as idx,
        ${pick('frags', 'random()', 1.6)} || ', ' || ${pick('frags', 'random()')}
          || case when random() < 0.5 then '. ' || ${pick('frags', 'random()')} else '' end || '.' as body
      from (values ${poolValues}) as f(pool, frags), generate_series(0, ${PHRASES - 1}) i`,
      pools.map(([, frags]) => frags),
    ],
    ['phrases index', 'alter table scale_phrases add primary key (pool, idx)', []],
    [
      'ticket plan',
      `create unlogged table scale_plan as
      with r as (
        select g as id, random() u1, random() u2, random() u3, random() u4, random() u5, random() u6,
          random() u7, random() u8, random() u9, random() u10, random() u11, random() u12, random() u13
        from generate_series(1, ${n}) g
      ), a as (
        select r.*, 1 + floor(${customers} * power(u1, 1.5))::int as cidx, 730 * power(u2, 1.15) as age_days from r
      ), b as (
        select a.*, case when cidx % 5 = 4 then 1 else 0 end as lang,
          case when age_days < 2 then case when u3 < .25 then 'new' when u3 < .55 then 'open' when u3 < .80 then 'pending' when u3 < .95 then 'resolved' else 'closed' end
               when age_days < 14 then case when u3 < .02 then 'new' when u3 < .10 then 'open' when u3 < .20 then 'pending' when u3 < .60 then 'resolved' else 'closed' end
               else case when u3 < .01 then 'open' when u3 < .02 then 'pending' when u3 < .07 then 'resolved' else 'closed' end end as status
        from a
      ), c as (select b.*, status <> 'new' and u8 < .5 as has_note from b
      )
      select id, ${CUSTOMER_BASE} + cidx as customer_id, lang, status,
        now() - age_days * interval '1 day' as created_at,
        least(300 + 86400 * power(u11, 3), age_days * 86400 / 6) * interval '1 second' as pace,
        case when u4 < .02 then 'urgent' when u4 < .15 then 'high' when u4 < .35 then 'low' else 'normal' end as priority,
        case when u5 < .1 then null else 1 + floor(8 * power((u5 - .1) / .9, 1.7))::int end as category_id,
        case when status = 'new' or (status in ('open','pending') and u6 < .25) then null
          else ${AGENT_BASE} + 1 + floor(${AGENTS} * u7)::int end as assignee_id,
        has_note,
        status in ('resolved','closed') and u9 < .35 as rated,
        case when u10 < .07 then 1 when u10 < .12 then 2 when u10 < .2 then 3 when u10 < .4 then 4 else 5 end::smallint as score,
        case when u12 < .8 then 'bot' else 'miniapp' end as source,
        case when lang = 0 then ${pick('$1::text[]', 'u13', 1.5)} else ${pick('$2::text[]', 'u13', 1.5)} end as subject,
        ${kindsExpr} as kinds
      from c`,
      [words.subjects[0], words.subjects[1]],
    ],
    ['ticket plan index', 'alter table scale_plan add primary key (id)', []],
    [
      'messages',
      `insert into messages (id, ticket_id, seq, kind, author_id, body, via, delivery, created_at)
      select (s.id - 1) * 5 + k, s.id, k + 1, s.kinds[k],
        case when s.kinds[k] = 'customer' then s.customer_id else coalesce(s.assignee_id, ${AGENT_BASE} + 1 + s.id % ${AGENTS}) end,
        ${bodyExpr('k')},
        case when s.kinds[k] = 'customer' then s.source else 'miniapp' end,
        case when s.kinds[k] = 'agent' then 'sent' else 'none' end,
        s.created_at + (k - 1) * s.pace
      from scale_plan s cross join generate_series(1, 5) k
      join scale_phrases p on p.pool = ${poolOf('s.kinds[k]')} and p.idx = (s.id::bigint * 7919 + k * 104729) % ${PHRASES}`,
      [],
    ],
    [
      'tickets',
      `insert into tickets (id, customer_id, subject, status, priority, category_id, assignee_id, version, last_seq,
        source, created_at, updated_at, last_message_at, last_message_preview, first_response_at, resolved_at,
        closed_at, rating, search)
      select s.id, s.customer_id, s.subject, s.status, s.priority, s.category_id, s.assignee_id,
        case when s.status in ('resolved','closed') then 2 else 1 end,
        6 + case when s.status in ('resolved','closed') then 1 else 0 end + case when s.rated then 1 else 0 end,
        s.source, s.created_at,
        case when s.status in ('resolved','closed') then least(now(), m.created_at + interval '2 hours' + case when s.status = 'closed' then interval '3 days' else interval '0' end) else m.created_at end,
        m.created_at, ${preview('m.body')},
        case when s.status = 'new' then null else s.created_at + s.pace end,
        case when s.status in ('resolved','closed') then least(now(), m.created_at + interval '2 hours') end,
        case when s.status = 'closed' then least(now(), m.created_at + interval '2 hours' + interval '3 days') end,
        case when s.rated then s.score end,
        to_tsvector('russian', s.subject) || to_tsvector('english', s.subject)
      from scale_plan s join messages m on m.id = (s.id - 1) * 5 + 5`,
      [],
    ],
    [
      'events: ticket.created',
      `insert into events (ticket_id, seq, type, customer_id, internal, actor_id, data, created_at, published_at)
      select t.id, 1, 'ticket.created', t.customer_id, false, t.customer_id,
        jsonb_build_object('ticket', ${ticketJson('t')} || jsonb_build_object(
          'status', 'new', 'assigneeId', null, 'version', 1, 'lastSeq', 2,
          'updatedAt', ${iso('t.created_at')}, 'lastMessageAt', ${iso('t.created_at')},
          'lastMessagePreview', ${preview('m.body')}, 'firstResponseAt', null, 'resolvedAt', null,
          'closedAt', null, 'rating', null)),
        t.created_at, t.created_at
      from tickets t join messages m on m.id = (t.id - 1) * 5 + 1`,
      [],
    ],
    [
      'events: message.created',
      `insert into events (ticket_id, seq, type, customer_id, internal, actor_id, data, created_at, published_at)
      select m.ticket_id, m.seq, 'message.created', s.customer_id, m.kind = 'note', m.author_id,
        jsonb_build_object('message', jsonb_build_object(
          'id', m.id, 'ticketId', m.ticket_id, 'seq', m.seq, 'kind', m.kind, 'internal', m.kind = 'note',
          'authorId', m.author_id,
          'author', jsonb_build_object('id', u.id, 'name', coalesce(nullif(btrim(concat_ws(' ', nullif(u.first_name, ''), u.last_name)), ''), '@' || u.username, 'User'), 'role', u.role),
          'body', m.body, 'originalBody', null, 'clientMessageId', null, 'via', m.via,
          'delivery', case when m.kind = 'agent' and m.via = 'miniapp' then 'pending' else 'none' end,
          'createdAt', ${iso('m.created_at')}, 'editedAt', null, 'attachments', '[]'::jsonb)),
        m.created_at, m.created_at
      from messages m join scale_plan s on s.id = m.ticket_id join users u on u.id = m.author_id`,
      [],
    ],
    [
      'events: ticket.updated',
      `insert into events (ticket_id, seq, type, customer_id, internal, actor_id, data, created_at, published_at)
      select t.id, 7, 'ticket.updated', t.customer_id, false, coalesce(t.assignee_id, ${AGENT_BASE} + 1),
        jsonb_build_object('ticket', ${ticketJson('t')} || jsonb_build_object('lastSeq', 7, 'rating', null),
          'changes', jsonb_build_array('status')),
        coalesce(t.closed_at, t.resolved_at), coalesce(t.closed_at, t.resolved_at)
      from tickets t where t.status in ('resolved','closed')`,
      [],
    ],
    [
      'ratings',
      `insert into ratings (ticket_id, score, comment, created_at)
      select t.id, t.rating, case when t.id % 10 = 0 then case when t.rating >= 4 then 'Спасибо, всё быстро' else 'Долго отвечали' end end,
        least(now(), t.updated_at + interval '2 hours')
      from tickets t where t.rating is not null`,
      [],
    ],
    [
      'events: ticket.rated',
      `insert into events (ticket_id, seq, type, customer_id, internal, actor_id, data, created_at, published_at)
      select t.id, 8, 'ticket.rated', t.customer_id, false, t.customer_id,
        jsonb_build_object('ticket', ${ticketJson('t')},
          'rating', jsonb_build_object('ticketId', r.ticket_id, 'score', r.score, 'comment', r.comment, 'createdAt', ${iso('r.created_at')})),
        r.created_at, r.created_at
      from tickets t join ratings r on r.ticket_id = t.id`,
      [],
    ],
    [
      'ticket_reads',
      `insert into ticket_reads (ticket_id, user_id, last_read_seq, updated_at)
      select id, customer_id, case when status in ('resolved','closed') then last_seq else 5 end, updated_at from tickets
      union all
      select id, assignee_id, case when status = 'open' then 4 else last_seq end, updated_at
      from tickets where assignee_id is not null`,
      [],
    ],
    [
      'sequences',
      `select setval('tickets_id_seq', (select max(id) from tickets)),
        setval('messages_id_seq', (select max(id) from messages)),
        setval('categories_id_seq', (select max(id) from categories))`,
      [],
    ],
    ['drop plan', 'drop table scale_plan, scale_phrases', []],
  ];
}

/**
 * Drops the filled tables' secondary indexes and foreign keys (building them once at the end is many times
 * faster than maintaining them row by row) and returns the statements that put them back as they were.
 */
async function dropForFill(c) {
  const indexes = await c.query(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
     from pg_index i join pg_class t on t.oid = i.indrelid
     where t.relname = any($1) and t.relnamespace = 'public'::regnamespace
       and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`,
    [FILLED],
  );
  const fks = await c.query(
    `select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid) as def
     from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace
       and (conrelid::regclass::text = any($1) or confrelid::regclass::text = any($1))`,
    [FILLED],
  );
  for (const f of fks.rows) await c.query(`alter table ${f.tbl} drop constraint "${f.conname}"`);
  for (const i of indexes.rows) await c.query(`drop index ${i.name}`);
  return [
    ...indexes.rows.map((i) => [`index ${i.name}`, i.def]),
    ...fks.rows.map((f) => [
      `fk ${f.conname}`,
      `alter table ${f.tbl} add constraint "${f.conname}" ${f.def}`,
    ]),
  ];
}

async function fill(url, n, log) {
  await withClient(url, async (c) => {
    await c.query(`set synchronous_commit = off; set maintenance_work_mem = '512MB'; set work_mem = '256MB';
      set max_parallel_workers_per_gather = 0; select setseed(0.42)`);
    const restore = await dropForFill(c);
    for (const [label, text, params] of [...fillStatements(n), ...restore.map(([l, s]) => [l, s, []])]) {
      const t0 = Date.now();
      const r = await c.query(text, params);
      log(`  ${label}: ${r.rowCount ?? ''} rows, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const t0 = Date.now();
    for (const t of FILLED) await c.query(`vacuum (analyze) ${t}`);
    log(`  vacuum analyze: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
}

/**
 * A database `name` holding `tickets` tickets: reused when complete for this N and generator version,
 * otherwise dropped and rebuilt (migrated up to `until` first when given). Returns what was done; migrations
 * after `until` are left for the caller (to apply under write load).
 */
export async function ensureScaleDatabase({ name, tickets, until = null, force = false, log = console.log }) {
  const meta = await readMeta(name).catch(() => null);
  const same =
    meta?.complete &&
    meta.tickets === tickets &&
    meta.version === GENERATOR_VERSION &&
    (meta.until ?? null) === until;
  if (!force && same) {
    log(`${name}: reusing (${tickets} tickets, generated ${meta.generatedAt} in ${meta.generateS} s)`);
    return { name, url: databaseUrl(name), reused: true, meta };
  }
  log(
    `${name}: ${meta ? 'incomplete or stale, rebuilding' : 'building'} with ${tickets} tickets, ${customersFor(tickets)} customers, ${AGENTS} agents`,
  );
  const t0 = Date.now();
  await recreate(name);
  const url = databaseUrl(name);
  const migratedBeforeFill = await migrateSchema(url, until, log);
  await writeMeta(name, { complete: false, tickets, version: GENERATOR_VERSION });
  await fill(url, tickets, log);
  const counts = await withClient(url, async (c) => {
    const r =
      await c.query(`select (select count(*) from tickets)::int as tickets, (select count(*) from messages)::int as messages,
      (select count(*) from messages where kind = 'note')::int as notes, (select count(*) from events)::int as events,
      (select count(*) from users)::int as users, (select count(*) from ratings)::int as ratings,
      pg_database_size(current_database())::bigint as bytes`);
    return { ...r.rows[0], bytes: Number(r.rows[0].bytes) };
  });
  const generateS = Math.round((Date.now() - t0) / 100) / 10;
  const done = {
    complete: true,
    tickets,
    version: GENERATOR_VERSION,
    until,
    generatedAt: new Date().toISOString(),
    generateS,
    migratedBeforeFill,
    counts,
  };
  await writeMeta(name, done);
  log(`${name}: generated in ${generateS} s: ${JSON.stringify(counts)}`);
  return { name, url, reused: false, meta: done };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tickets = Number(process.argv[2] ?? 20_000);
  const name = process.argv[3] ?? `tikethet_scale_dev_${tickets}`;
  ensureScaleDatabase({ name, tickets, until: process.env.SCALE_UNTIL ?? null }).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
