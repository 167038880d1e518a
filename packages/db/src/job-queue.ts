import { createLogger, type Logger } from '@tikethet/config';
import {
  quickAddJob,
  run,
  runMigrations,
  runOnce,
  type TaskList,
  Logger as WorkerLogger,
} from 'graphile-worker';
import pg from 'pg';
import type { Database } from './client';

/**
 * The SLA timers' job queue: graphile-worker in Postgres (its own schema `graphile_worker`). The tickets
 * trigger of migration 0009 adds one job per ticket (`sla:<id>`) in the writing transaction and moves or
 * removes it when the ticket's nearest due time changes; a worker runs each job once across all instances
 * (locked with SKIP LOCKED; a job of a worker that died is retried after its lock expires).
 */
export const SLA_TIMER_TASK = 'sla_timer';
/** The out-of-hours reply of a ticket (added by the messages trigger of 0013). */
export const AUTO_REPLY_TASK = 'auto_reply';
/**
 * The sweep of uploaded files no message took (BlobStore.sweepOrphans): one job across all instances (its
 * job key), which queues its own next run with its cursor as the payload.
 */
export const BLOB_SWEEP_TASK = 'blob_sweep';
/**
 * Changed service levels re-derived on the open tickets (use-case `recomputeSla`), queued by
 * putServiceLevels: one chain across all instances (its job key), each run queueing the next batch's.
 */
export const SLA_RECOMPUTE_TASK = 'sla_recompute';

function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger(() => (level, message, meta) => {
    if (level === 'error') logger.error({ meta }, message);
    else if (level === 'warning') logger.warn({ meta }, message);
    else logger.debug({ meta }, message);
  });
}

/** Installs or upgrades graphile-worker's schema (runMigrations calls this after the app's migrations). */
export async function installJobQueue(
  url: string,
  logger: Logger = createLogger('db:job-queue'),
): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1, application_name: 'tikethet-migrate' });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await runMigrations({ pgPool: pool, logger: workerLogger(logger) });
        return;
      } catch (error) {
        // Several migrators at once: graphile-worker's `create schema/table if not exists` can lose the race
        // to another's (a duplicate key in the catalog, or the object already there). The winner installed
        // it; running again finds it and goes on from there.
        const code = (error as { code?: string }).code;
        if (attempt >= 5 || !RACE_CODES.has(code ?? '')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  } finally {
    await pool.end();
  }
}

/** unique_violation (the catalog's own indexes), duplicate_table, duplicate_schema, duplicate_object. */
const RACE_CODES = new Set(['23505', '42P07', '42P06', '42710']);

export interface SlaTimerWorkerOptions {
  /** The process's database: the runner takes its connections from its pool. */
  db: Database;
  /** Handles one timer: the ticket's SLA state is re-read and acted on (use-case `fireSlaTimer`). */
  fire: (ticketId: number) => Promise<unknown>;
  /** Sends a ticket's out-of-hours reply if it is still due (use-case `sendAutoReply`). */
  autoReply: (ticketId: number) => Promise<unknown>;
  /** Given: one batch of the settings re-derivation after ticket `after` (use-case `recomputeSla`). */
  recomputeSla?: (run: { after: number; since: string }) => Promise<{ next: number; more: boolean }>;
  logger?: Logger;
  /**
   * `listen` (servers): graphile-worker's runner, woken by LISTEN/NOTIFY and polling every `pollMs`; it holds
   * one connection of the pool for LISTEN. `poll` (the embedded PGlite, one connection for everything): no
   * held connection; ready jobs are run every `pollMs`.
   */
  mode: 'listen' | 'poll';
  pollMs?: number;
  concurrency?: number;
  /** Given: the orphan blob sweep runs as a recurring job, one bounded run from the cursor `after` a time. */
  sweepBlobs?: (after: number) => Promise<{ next: number; more: boolean }>;
  /** Between sweeps once caught up (default 10 minutes); a run that left more goes on a second later. */
  sweepEveryMs?: number;
}

export interface SlaTimerWorker {
  stop(): Promise<void>;
}

/** Starts running the SLA timer jobs of this database. */
export async function startSlaTimerWorker(options: SlaTimerWorkerOptions): Promise<SlaTimerWorker> {
  const logger = options.logger ?? createLogger('db:sla-timers');
  const pollMs = options.pollMs ?? 2000;
  const perTicket =
    (handle: (ticketId: number) => Promise<unknown>): TaskList[string] =>
    async (payload) => {
      const ticketId = (payload as { ticketId?: unknown } | null)?.ticketId;
      if (typeof ticketId !== 'number' || !Number.isInteger(ticketId)) return;
      await handle(ticketId);
    };
  const taskList: TaskList = {
    [SLA_TIMER_TASK]: perTicket(options.fire),
    [AUTO_REPLY_TASK]: perTicket(options.autoReply),
  };
  const { recomputeSla, sweepBlobs } = options;
  if (recomputeSla) {
    taskList[SLA_RECOMPUTE_TASK] = async (payload, helpers) => {
      const { after, since } = (payload ?? {}) as { after?: unknown; since?: unknown };
      if (typeof since !== 'string') return;
      const done = await recomputeSla({
        after: typeof after === 'number' && Number.isInteger(after) ? after : 0,
        since,
      });
      // The running job gives up its key to the next batch's (a chain of stale settings stops above).
      if (done.more)
        await helpers.addJob(SLA_RECOMPUTE_TASK, { after: done.next, since }, { jobKey: SLA_RECOMPUTE_TASK });
    };
  }
  if (sweepBlobs) {
    const every = options.sweepEveryMs ?? 10 * 60_000;
    taskList[BLOB_SWEEP_TASK] = async (payload, helpers) => {
      const after = (payload as { after?: unknown } | null)?.after;
      const swept = await sweepBlobs(typeof after === 'number' && Number.isInteger(after) ? after : 0);
      // The running job gives up its key to the next one (graphile-worker's job key semantics).
      await helpers.addJob(
        BLOB_SWEEP_TASK,
        { after: swept.next },
        { jobKey: BLOB_SWEEP_TASK, runAt: new Date(Date.now() + (swept.more ? 1000 : every)) },
      );
    };
    // Every instance asks for the job at start; the key keeps it one (an existing job, its cursor, stays).
    await quickAddJob(
      { pgPool: options.db.$client },
      BLOB_SWEEP_TASK,
      { after: 0 },
      {
        jobKey: BLOB_SWEEP_TASK,
        jobKeyMode: 'unsafe_dedupe',
      },
    );
  }
  const common = {
    pgPool: options.db.$client,
    taskList,
    logger: workerLogger(logger),
    noHandleSignals: true,
    concurrency: options.concurrency ?? (options.mode === 'poll' ? 1 : 2),
  };
  if (options.mode === 'listen') {
    const runner = await run({ ...common, pollInterval: pollMs });
    return { stop: () => runner.stop() };
  }
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = runOnce({ ...common })
      .catch((error: unknown) => logger.warn({ err: error }, 'SLA timer poll failed; next poll retries'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, pollMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
