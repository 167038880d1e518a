// Applies the migrations a database lacks while a writer keeps posting messages (the one-statement shape of
// the API's message write: the ticket's seq bumped, the message and its event inserted), and reports the
// writer's latency during the migration: an index built without CONCURRENTLY, or a table rewrite, would hold
// the writes for its whole duration. The writer's rows are removed and its tickets restored afterwards, so
// the database does not grow from run to run.
import { createRequire } from 'node:module';
import path from 'node:path';
import { percentile } from '../fanout/report.mjs';
import { ledger, root, runMigrations } from './generate.mjs';

const requireDb = createRequire(path.join(root, 'packages/db/package.json'));
const pg = requireDb('pg');

const WRITE = `with t as (
    update tickets set last_seq = last_seq + 1, updated_at = now(), last_message_at = now(),
      last_message_preview = $2 where id = $1 returning id, customer_id, last_seq),
  m as (
    insert into messages (ticket_id, seq, kind, author_id, body, via, delivery)
    select id, last_seq, 'customer', customer_id, $2, 'bot', 'none' from t returning id, ticket_id, seq, created_at)
  insert into events (ticket_id, seq, type, customer_id, internal, actor_id, data, published_at)
  select t.id, t.last_seq, 'message.created', t.customer_id, false, t.customer_id,
    jsonb_build_object('message', jsonb_build_object('id', m.id, 'ticketId', m.ticket_id, 'seq', m.seq, 'body', $2::text)), now()
  from t join m on m.ticket_id = t.id`;

/** The writer: sequential writes to `tickets` (ids) until stopped; each write's start time and latency. */
function startWriter(url, ids) {
  const samples = [];
  const errors = [];
  let stopping = false;
  const done = (async () => {
    const c = new pg.Client({ connectionString: url, application_name: 'bench-scale-writer' });
    await c.connect();
    try {
      for (let i = 0; !stopping; i++) {
        const at = Date.now();
        const t0 = performance.now();
        try {
          await c.query(WRITE, [ids[i % ids.length], `нагрузка во время миграции ${i}`]);
          samples.push({ at, ms: performance.now() - t0 });
        } catch (error) {
          errors.push({ at, ms: performance.now() - t0, message: String(error.message ?? error) });
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      await c.end();
    }
  })();
  return {
    samples,
    errors,
    async stop() {
      stopping = true;
      await done;
    },
  };
}

/** Every 100 ms: what the migrator's session is running (pg_stat_activity), to name what held a write up. */
function startMonitor(url) {
  const seen = [];
  let stopping = false;
  const done = (async () => {
    const c = new pg.Client({ connectionString: url, application_name: 'bench-scale-monitor' });
    await c.connect();
    try {
      while (!stopping) {
        const r = await c.query(
          `select left(btrim(regexp_replace(regexp_replace(query, '--[^\\n]*', '', 'g'), '\\s+', ' ', 'g')), 160) as query
           from pg_stat_activity where application_name = 'tikethet-migrate' and state = 'active'`,
        );
        for (const row of r.rows) seen.push({ at: Date.now(), query: row.query });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await c.end();
    }
  })();
  return {
    seen,
    async stop() {
      stopping = true;
      await done;
    },
  };
}

/** The migration statement seen running most often while `write` waited. */
function heldBy(write, seen) {
  const counts = new Map();
  for (const s of seen) {
    if (s.at >= write.at && s.at <= write.at + write.ms) counts.set(s.query, (counts.get(s.query) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** The three slowest writes during the migration, each with the statement the migrator was running. */
function slowestWrites(samples, seen) {
  return [...samples]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map((w) => ({ ms: w.ms, heldBy: heldBy(w, seen) }));
}

function summary(samples) {
  const ms = samples.map((s) => s.ms);
  return {
    writes: ms.length,
    p50: percentile(ms, 0.5),
    p99: percentile(ms, 0.99),
    max: ms.length ? Math.max(...ms) : null,
  };
}

/**
 * Runs the project's runMigrations on `url` under the writer. Returns null when nothing was pending, else
 * { pending tags, duration, writer latency before and during, errors }.
 */
export async function migrateUnderLoad(url, { log = console.log, writerTickets = 50 } = {}) {
  const { pending } = await ledger(url);
  if (pending.length === 0) return null;
  const c = new pg.Client({ connectionString: url, application_name: 'bench-scale' });
  await c.connect();
  try {
    const before = await c.query(
      `select id, last_seq, updated_at, last_message_at, last_message_preview from tickets
       where id % (select greatest(1, max(id) / $1) from tickets) = 0 order by id limit $1`,
      [writerTickets],
    );
    const marks = await c.query(
      'select (select max(id) from messages) as m, (select max(id) from events) as e',
    );
    const ids = before.rows.map((r) => r.id);
    const writer = startWriter(url, ids);
    const monitor = startMonitor(url);
    await new Promise((r) => setTimeout(r, 3000));
    const started = Date.now();
    log(`applying ${pending.length} migration(s) under write load: ${pending.join(', ')}`);
    let failure = null;
    try {
      await runMigrations(url);
    } catch (error) {
      failure = String(error.message ?? error);
    }
    const finished = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    await writer.stop();
    await monitor.stop();
    const during = writer.samples.filter((s) => s.at >= started && s.at <= finished);
    // A write that started before the migration and waited through it counts as during.
    const straddling = writer.samples.filter((s) => s.at < started && s.at + s.ms > started);
    const result = {
      pending,
      durationS: (finished - started) / 1000,
      failure,
      baseline: summary(writer.samples.filter((s) => s.at < started && s.at + s.ms <= started)),
      during: summary([...straddling, ...during]),
      slowest: slowestWrites([...straddling, ...during], monitor.seen),
      errors: writer.errors.length,
      firstError: writer.errors[0]?.message ?? null,
      at: new Date().toISOString(),
    };
    // Put the database back as it was: the writer's messages and events out, its tickets restored.
    await c.query('delete from events where id > $1', [marks.rows[0].e]);
    await c.query('delete from messages where id > $1', [marks.rows[0].m]);
    for (const r of before.rows) {
      await c.query(
        `update tickets set last_seq = $2, updated_at = $3, last_message_at = $4, last_message_preview = $5
         where id = $1`,
        [r.id, r.last_seq, r.updated_at, r.last_message_at, r.last_message_preview],
      );
    }
    if (failure) throw new Error(`migrations failed under load: ${failure}`);
    log(
      `migrations took ${result.durationS.toFixed(1)} s; writer during them: ${result.during.writes} writes, p50 ${result.during.p50?.toFixed(1)} ms, max ${result.during.max?.toFixed(0)} ms (before: max ${result.baseline.max?.toFixed(0)} ms), ${result.errors} errors`,
    );
    return result;
  } finally {
    await c.end();
  }
}
