import {
  type Actor,
  type Availability,
  availabilitySchema,
  canManageServiceLevels,
  canSetAvailability,
  ForbiddenError,
  fillAutoReply,
  formatExpectedTime,
  languageFrom,
  type Message,
  NotFoundError,
  parseInput,
  type ServiceLevels,
  type SlaAlertKind,
  type SlaTimerName,
  serviceLevelsSchema,
  type Ticket,
  type User,
  ValidationError,
} from '@tikethet/domain';
import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { iso, toUser } from '../mappers';
import { serviceLevels, tickets, users } from '../schema';
import { changeTicket, lockTicket, type TicketRow, type TxScope } from '../scope';
import { writeMessages } from './message-writer';

/** The service-level settings (one row, seeded by migration 0009). */
export async function readServiceLevels(q: Queryable): Promise<ServiceLevels> {
  const rows = await q.select({ settings: serviceLevels.settings }).from(serviceLevels);
  const row = rows[0];
  if (!row) throw new Error('service_levels has no row (migration 0009 seeds it)');
  return row.settings as ServiceLevels;
}

export async function getServiceLevels(q: Queryable, actor: Actor): Promise<ServiceLevels> {
  if (!canManageServiceLevels(actor)) throw new ForbiddenError('only admins read the service levels');
  return readServiceLevels(q);
}

/**
 * Replaces the settings. New and changed tickets get due times from them at once; the open tickets already
 * running are re-derived by the `sla_recompute` job queued here (in batches, in the background; a second
 * change restarts it from the first ticket), which moves their timers too.
 */
export async function putServiceLevels(scope: TxScope, actor: Actor, raw: unknown): Promise<ServiceLevels> {
  if (!canManageServiceLevels(actor)) throw new ForbiddenError('only admins set the service levels');
  const settings = parseInput(serviceLevelsSchema, raw);
  // The arithmetic runs in Postgres: its time zone database must know the name too.
  const known = await scope.tx.execute<{ ok: boolean }>(
    sql`select exists (select 1 from pg_timezone_names where name = ${settings.timezone}) as ok`,
  );
  if (!known.rows[0]?.ok) {
    throw new ValidationError([{ path: 'timezone', message: 'is not a time zone the database knows' }]);
  }
  settings.holidays = [...new Set(settings.holidays)].sort();
  await scope.tx
    .update(serviceLevels)
    .set({ settings, updatedAt: sql`now()` })
    .where(eq(serviceLevels.id, true));
  // plpgsql resolves the call only when it runs: a database without the job queue's schema yet is fine.
  await scope.tx.execute(sql`do $$ begin
    if to_regnamespace('graphile_worker') is not null then
      perform graphile_worker.add_job('sla_recompute',
        json_build_object('after', 0, 'since', (select updated_at::text from service_levels)),
        job_key := 'sla_recompute', job_key_mode := 'replace');
    end if;
  end $$`);
  return settings;
}

/** Open tickets whose due times one `sla_recompute` run derives again. */
const RECOMPUTE_BATCH = 500;

/**
 * One run of the `sla_recompute` job: the next open tickets after id `after` are touched with
 * `tikethet.sla_recompute` on, so the 0021 trigger derives their due times from the current settings (and the
 * schedule trigger moves their timers). No events: the queue shows the new times on its next read. A run of a
 * chain started for settings that have changed since (`since`, their updated_at then) does nothing: the
 * change queued a run from the first ticket of its own.
 */
export async function recomputeSla(
  scope: TxScope,
  run: { after: number; since: string; limit?: number },
): Promise<{ next: number; more: boolean }> {
  const { after, since, limit = RECOMPUTE_BATCH } = run;
  const current = await scope.tx.execute<{ since: string }>(
    sql`select updated_at::text as since from service_levels`,
  );
  if (current.rows[0]?.since !== since) return { next: after, more: false };
  await scope.tx.execute(sql`select set_config('tikethet.sla_recompute', 'on', true)`);
  const result = await scope.tx.execute<{ id: number }>(sql`
    with batch as (
      select id from tickets where id > ${after} and status in ('new', 'open', 'pending')
      order by id limit ${limit}
    )
    update tickets t set sla_due_at = t.sla_due_at from batch where t.id = batch.id returning t.id`);
  const ids = result.rows.map((r) => Number(r.id));
  return { next: ids.length > 0 ? Math.max(...ids) : after, more: ids.length === limit };
}

/** Online staff may be handed new tickets by auto-assignment; away staff keep theirs and get none new. */
export async function setAvailability(scope: TxScope, actor: Actor, status: Availability): Promise<User> {
  if (!canSetAvailability(actor)) throw new ForbiddenError('only agents and admins set an availability');
  const parsed = parseInput(availabilitySchema, status, 'status');
  const rows = await scope.tx
    .update(users)
    .set({ availability: parsed, updatedAt: sql`now()` })
    .where(eq(users.id, actor.id))
    .returning();
  const row = rows[0];
  if (!row) throw new NotFoundError('user');
  return toUser(row);
}

/** The instant the database's clock says, and where `due` stands against it. */
async function timerState(scope: TxScope, due: string) {
  const result = await scope.tx.execute<{ breach: boolean; warning: boolean }>(
    sql`select now() >= ${due}::timestamptz as breach,
      now() >= ${due}::timestamptz - interval '15 minutes' as warning`,
  );
  const row = result.rows[0];
  return row?.breach ? 'breach' : row?.warning ? 'warning' : null;
}

/** Sets the ticket's one timer job (`sla:<id>`, as the 0009 trigger does) to run `before` ahead of `due`. */
async function scheduleTimer(scope: TxScope, ticketId: number, due: string, before: '0' | '15 minutes') {
  await scope.tx.execute(
    sql`select graphile_worker.add_job('sla_timer', json_build_object('ticketId', ${ticketId}::int),
      run_at := ${due}::timestamptz - ${before}::interval, job_key := ${`sla:${ticketId}`},
      job_key_mode := 'replace', max_attempts := 25)`,
  );
}

/** Which timer a due time is (the nearest of the three). */
function timerOf(row: TicketRow, due: string): SlaTimerName {
  if (row.slaFirstResponseDueAt === due) return 'firstResponse';
  if (row.slaNextResponseDueAt === due) return 'nextResponse';
  return 'resolution';
}

/**
 * One SLA timer job (graphile-worker runs it once across instances, again after a crash): 15 minutes before
 * the ticket's nearest due time a warning, at it a breach. Each goes out once per due time (`sla_alerted`,
 * written with its `ticket.updated` event in this transaction, which the bot turns into the Telegram
 * notice); a due time that moved since the job was set is followed, not alerted early.
 */
export async function fireSlaTimer(scope: TxScope, ticketId: number): Promise<Ticket | null> {
  const row = await lockTicket(scope, ticketId);
  if (!row || row.slaDueAt === null) return null;
  const due = row.slaDueAt;
  const kind = await timerState(scope, due);
  if (kind === null) {
    await scheduleTimer(scope, ticketId, due, '15 minutes');
    return null;
  }
  if (kind === 'warning') await scheduleTimer(scope, ticketId, due, '0');
  const mark = `${kind}:${due}`;
  if (row.slaAlerted === mark) return null;
  return alert(scope, row, due, kind, mark);
}

async function alert(scope: TxScope, row: TicketRow, due: string, kind: SlaAlertKind, mark: string) {
  const breach =
    kind === 'breach' ? { slaBreachedAt: sql`coalesce(${tickets.slaBreachedAt}, ${tickets.slaDueAt})` } : {};
  return changeTicket(
    scope,
    row,
    { slaAlerted: mark, ...breach },
    {
      actorId: null,
      changes: ['sla'],
      slaAlert: { kind, timer: timerOf(row, due), dueAt: iso(due) },
      keepVersion: true,
    },
  );
}

/** Every auto-assignment takes this transaction-scoped lock: decisions are made one at a time (the cap holds). */
const ASSIGNMENT_LOCK_KEY = 7_411_902_316;

/**
 * Hands a new ticket to an online agent by the settings' mode, within the cap of open tickets per agent:
 * `round_robin` the agent who got one longest ago, `least_loaded` the one with the fewest open tickets. Runs
 * in the creating transaction under one advisory lock, so concurrent creations see each other's choices and
 * no agent passes the cap. Nobody online under the cap (or `manual`): the ticket stays unassigned. The
 * `ticket.updated` it appends (no actor) is what tells the agent, as any assignment does.
 */
export async function autoAssign(scope: TxScope, row: TicketRow): Promise<Ticket | null> {
  const { mode, maxOpenPerAgent } = (await readServiceLevels(scope.tx)).assignment;
  if (mode === 'manual' || row.assigneeId !== null) return null;
  await scope.tx.execute(sql`select pg_advisory_xact_lock(${ASSIGNMENT_LOCK_KEY})`);
  const order =
    mode === 'round_robin'
      ? sql`u.last_assigned_at asc nulls first, u.id`
      : sql`l.load asc, u.last_assigned_at asc nulls first, u.id`;
  const picked = await scope.tx.execute<{ id: string }>(sql`select u.id from ${users} u
    cross join lateral (select count(*)::int as load from ${tickets} t
      where t.assignee_id = u.id and t.status in ('new', 'open', 'pending')) l
    where u.role = 'agent' and u.availability = 'online' and u.id <> ${row.customerId}
      and l.load < ${maxOpenPerAgent}
    order by ${order} limit 1`);
  const chosen = picked.rows[0];
  if (!chosen) return null;
  const assigneeId = Number(chosen.id);
  // The clock, not now(): the lock's order, whatever order the transactions started in.
  await scope.tx
    .update(users)
    .set({ lastAssignedAt: sql`clock_timestamp()` })
    .where(eq(users.id, assigneeId));
  const changes = row.status === 'new' ? ['assigneeId', 'status'] : ['assigneeId'];
  const status = row.status === 'new' ? 'open' : row.status;
  return changeTicket(scope, row, { assigneeId, status }, { actorId: null, changes });
}

/**
 * The out-of-hours reply (job `auto_reply`, queued by the messages trigger of 0013 when a customer writes
 * outside business hours): a `system` message on the ticket in the customer's language with the time they can
 * expect an answer (the next opening), at most once per off-hours period per ticket — none when business time
 * has not passed since the last one, none once business hours have begun or the reply is switched off.
 */
export async function sendAutoReply(scope: TxScope, ticketId: number): Promise<Message | null> {
  const row = await lockTicket(scope, ticketId);
  if (!row || row.status === 'closed') return null;
  const settings = await readServiceLevels(scope.tx);
  if (!settings.autoReply.enabled) return null;
  const result = await scope.tx.execute<{ opens: Date | string | null; repliedThisPeriod: boolean }>(
    sql`select tikethet_business_add(s.settings, now(), 0) as opens,
      (${row.autoRepliedAt}::timestamptz is not null
        and tikethet_business_seconds(s.settings, ${row.autoRepliedAt}::timestamptz, now()) = 0) as "repliedThisPeriod"
    from ${serviceLevels} s where s.id`,
  );
  const state = result.rows[0];
  if (!state || state.opens === null || state.repliedThisPeriod) return null;
  const opens = new Date(state.opens);
  const now = await scope.tx.execute<{ now: Date | string }>(sql`select now() as now`);
  if (opens.getTime() <= new Date(now.rows[0]?.now ?? 0).getTime()) return null;
  const customer = await scope.tx
    .select({ languageCode: users.languageCode })
    .from(users)
    .where(eq(users.id, row.customerId));
  const language = languageFrom(customer[0]?.languageCode);
  const body = fillAutoReply(settings, language, formatExpectedTime(opens, settings.timezone, language));
  await scope.tx.update(tickets).set({ autoRepliedAt: sql`now()` }).where(eq(tickets.id, row.id));
  const [written] = await writeMessages(scope, [
    { ticket: row, kind: 'system', author: null, body, via: 'bot' },
  ]);
  return written?.message ?? null;
}
