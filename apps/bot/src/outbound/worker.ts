import { setMaxListeners } from 'node:events';
import type { Logger } from '@tikethet/config';
import { type ClaimedOutboxRow, OUTBOX_LEASE_RENEW_MS, type OutboxQueue, type UseCases } from '@tikethet/db';
import type { BotMetrics } from '../metrics';
import { classifySendError, MESSAGE_METHODS } from './classify';
import type { SendGate, SendTicket } from './limiter';

export type CallApi = (
  method: string,
  payload: Record<string, unknown>,
  signal: AbortSignal,
) => Promise<unknown>;

/** A Bot API call made inside the queue's limits (waits for its slot like a row would). */
export type LimitedCall = (method: string, payload: Record<string, unknown>) => Promise<unknown>;

/**
 * What the queue asks before and after a row's call (forum topics, migrated groups): the payload to send,
 * and what a failure means. `sent`: the call's purpose is met (TOPIC_NOT_MODIFIED); `again`: prepare and
 * call once more now (a topic to create again, a group's new id); undefined: the usual handling.
 */
export interface SendHooks {
  prepare(row: ClaimedOutboxRow, call: LimitedCall): Promise<Record<string, unknown>>;
  recover(
    row: ClaimedOutboxRow,
    sent: Record<string, unknown>,
    error: unknown,
  ): Promise<'sent' | 'again' | undefined>;
  /** After Telegram accepted the call, before it is recorded (files: keep the file ids it gave). */
  sent?(row: ClaimedOutboxRow, result: unknown): Promise<void>;
}

/** How often one row may be prepared again after `again` before its failure counts as usual. */
const MAX_RECOVERIES = 3;

export interface OutboxWorkerOptions {
  store: OutboxQueue;
  uc: UseCases;
  limiter: SendGate;
  callApi: CallApi;
  logger: Logger;
  metrics: BotMetrics;
  maxAttempts: number;
  retryBaseMs: number;
  pollIntervalMs: number;
  /** Rows held in memory at most (claimed, waiting for their chat's turn). */
  capacity?: number;
  hooks?: SendHooks;
}

export interface OutboxWorker {
  start(): Promise<void>;
  /** Something was enqueued: look now instead of at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 60_000;
/** Recording a send's outcome is retried this often (a deadlock, a connection blip) before the lane gives up. */
const RECORD_ATTEMPTS = 4;
const RECORD_RETRY_MS = 100;

/** The messages a call made: its answer's message_id, or an album's in order (sendMediaGroup, copyMessages). */
function messageIdsOf(result: unknown): number[] {
  if (Array.isArray(result)) return result.flatMap(messageIdsOf);
  const id = messageIdOf(result);
  return id === null ? [] : [id];
}

function messageIdOf(result: unknown): number | null {
  if (
    result &&
    typeof result === 'object' &&
    'message_id' in result &&
    typeof result.message_id === 'number'
  ) {
    return result.message_id;
  }
  return null;
}

/**
 * The one outbound queue. Rows are claimed from telegram_outbox into per-chat lanes (order kept per chat);
 * each lane waits for the limiter (global, per private chat, per group), sends, and records the outcome in
 * Postgres. 429 waits out retry_after; 5xx and network failures go back to the queue with backoff; after
 * `maxAttempts` a row is failed and its message's delivery marked failed so the agent sees it.
 */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, uc, limiter, callApi, logger, metrics, maxAttempts, retryBaseMs, pollIntervalMs, hooks } =
    options;
  const capacity = options.capacity ?? 500;
  const lanes = new Map<number, ClaimedOutboxRow[]>();
  const running = new Set<Promise<void>>();
  const abort = new AbortController();
  // Every in-flight call listens to it.
  setMaxListeners(0, abort.signal);
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  let loop: Promise<void> | undefined;

  const held = () => [...lanes.values()].reduce((n, lane) => n + lane.length, 0);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopping) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        abort.signal.removeEventListener('abort', done);
        resolve();
      }
      abort.signal.addEventListener('abort', done);
    });

  const wake = () => {
    woken = true;
    wakeUp?.();
  };

  /**
   * Telegram has answered, so its outcome must be recorded: a record that fails is tried again, or a sent row
   * would stay `sending` and go out a second time once its lease ran out.
   */
  async function record(row: ClaimedOutboxRow, write: () => Promise<void>) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await write();
      } catch (error) {
        if (attempt >= RECORD_ATTEMPTS) throw error;
        logger.warn(
          { err: error, outboxId: row.id, attempt },
          'recording an outbound outcome failed; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_MS * attempt));
      }
    }
  }

  async function fail(row: ClaimedOutboxRow, message: string) {
    logger.warn({ outboxId: row.id, chatId: row.chatId, err: message }, 'outbound call failed for good');
    metrics.sends.inc({ outcome: 'failed' });
    await record(row, () => uc.recordTelegramFailed(row.id, message));
  }

  /** Waits for a slot of `chatId` (messages count, other calls only obey pauses); undefined when stopping. */
  async function slotFor(chatId: number, method: string): Promise<SendTicket | undefined> {
    while (!stopping) {
      const slot = await limiter.acquire(chatId, MESSAGE_METHODS.has(method));
      if (slot.ticket) return slot.ticket;
      await sleep(slot.waitMs);
    }
    return undefined;
  }

  /** A call a hook makes for a row (a topic to create, a recap), inside the same limits. */
  const limitedCall =
    (chatId: number): LimitedCall =>
    async (method, payload) => {
      const ticket = await slotFor(chatId, method);
      if (!ticket) throw new Error('outbound queue stopping');
      try {
        return await callApi(method, payload, abort.signal);
      } finally {
        ticket.done();
      }
    };

  /** Sends the lane's rows in order; on a transient failure the rest of the lane goes back to the queue. */
  async function runLane(chatId: number, lane: ClaimedOutboxRow[]) {
    let recoveries = 0;
    try {
      while (lane.length > 0 && !stopping) {
        const row = lane[0];
        if (!row) break;
        const ticket = await slotFor(chatId, row.method);
        if (stopping || !ticket) break;
        let result: unknown;
        let payload = row.payload;
        try {
          if (hooks) payload = await hooks.prepare(row, limitedCall(chatId));
          result = await callApi(row.method, payload, abort.signal);
          ticket.done();
        } catch (error) {
          ticket.done();
          if (stopping) break;
          const recovered =
            hooks && recoveries < MAX_RECOVERIES ? await hooks.recover(row, payload, error) : undefined;
          if (recovered === 'again') {
            recoveries += 1;
            continue;
          }
          if (recovered === 'sent') {
            lane.shift();
            recoveries = 0;
            metrics.sends.inc({ outcome: 'sent' });
            await record(row, () => uc.recordTelegramSent(row.id, null));
            continue;
          }
          const failure = classifySendError(error);
          if (failure.kind === 'rate_limited') {
            metrics.sends.inc({ outcome: 'rate_limited' });
            logger.info({ chatId, retryAfterMs: failure.retryAfterMs }, 'Telegram asked to wait');
            limiter.pause(chatId, failure.retryAfterMs, true);
            continue;
          }
          lane.shift();
          if (failure.kind === 'permanent' || row.attempts + 1 >= maxAttempts) {
            await fail(row, failure.message);
            continue;
          }
          const backoff =
            Math.min(MAX_BACKOFF_MS, retryBaseMs * 2 ** row.attempts) * (0.8 + Math.random() * 0.4);
          metrics.sends.inc({ outcome: 'retry' });
          logger.info({ chatId, attempt: row.attempts + 1, backoff, err: failure.message }, 'outbound retry');
          // The whole lane waits together, so the chat's order holds after the retry.
          await store.retryLater(
            row.id,
            lane.splice(0).map((r) => r.id),
            backoff,
            failure.message,
          );
          break;
        }
        lane.shift();
        recoveries = 0;
        metrics.sends.inc({ outcome: 'sent' });
        // Sent is sent: a hook that fails afterwards (a file id not kept) costs a later upload, not the row.
        await hooks?.sent?.(row, result).catch((error: unknown) => {
          logger.warn({ err: error, outboxId: row.id }, 'after-send hook failed');
        });
        // The row, its Telegram link and the message's delivery: one transaction.
        // An album's first message stands for the row; all of them are linked to its ticket.
        const [first = null, ...more] = messageIdsOf(result);
        await record(row, () => uc.recordTelegramSent(row.id, first, more));
      }
    } catch (error) {
      logger.error({ err: error, chatId }, 'outbound lane failed; its rows return to the queue');
      await sleep(pollIntervalMs);
      await store.release(lane.splice(0).map((r) => r.id)).catch(() => undefined);
    } finally {
      if (stopping && lane.length > 0)
        await store.release(lane.splice(0).map((r) => r.id)).catch(() => undefined);
      lanes.delete(chatId);
      metrics.queueDepth.set(held());
      wake();
    }
  }

  async function fill(): Promise<number> {
    const room = capacity - held();
    if (room <= 0) return 0;
    const rows = await store.claim(room);
    const fresh = new Map<number, ClaimedOutboxRow[]>();
    for (const row of rows) {
      const lane = lanes.get(row.chatId) ?? fresh.get(row.chatId) ?? [];
      lane.push(row);
      if (!lanes.has(row.chatId)) fresh.set(row.chatId, lane);
    }
    for (const [chatId, lane] of fresh) {
      lanes.set(chatId, lane);
      const task = runLane(chatId, lane);
      running.add(task);
      void task.finally(() => running.delete(task));
    }
    metrics.queueDepth.set(held());
    return rows.length;
  }

  async function mainLoop() {
    let lastLeaseCheck = Date.now();
    while (!stopping) {
      woken = false;
      let claimed = 0;
      try {
        claimed = await fill();
        if (Date.now() - lastLeaseCheck > OUTBOX_LEASE_RENEW_MS) {
          lastLeaseCheck = Date.now();
          await store.renew([...lanes.values()].flatMap((lane) => lane.map((row) => row.id)));
          await store.requeueExpired();
        }
      } catch (error) {
        if (!stopping) logger.warn({ err: error }, 'outbox claim failed; retrying');
      }
      if (stopping) break;
      if (claimed > 0 && held() < capacity) continue;
      if (woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollIntervalMs);
        function done() {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
      });
    }
  }

  return {
    async start() {
      // Only rows whose lease ran out: the others may be in the hands of another instance right now.
      const requeued = await store.requeueExpired();
      if (requeued > 0) logger.info({ requeued }, 'outbox rows of a stopped worker requeued');
      loop = mainLoop();
    },
    wake,
    async stop() {
      stopping = true;
      abort.abort();
      wakeUp?.();
      await loop;
      await Promise.allSettled([...running]);
    },
  };
}
