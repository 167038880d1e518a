import type { Logger } from '@tikethet/config';
import type { IngestTextItem, UseCases } from '@tikethet/db';
import type { Update } from 'telegraf/types';
import type { BotMetrics } from '../metrics';
import { bodyTextOf } from './attachments';
import { pendingNewKey } from './commands';
import { profileOf, type UpdateOutcome } from './process-update';

/**
 * A plain text a customer wrote in their private chat — no command, no reply, no file, no forward from a bot:
 * the kind of update a busy webhook mostly gets. Anything else is null and goes the one-update way.
 */
export function plainTextOf(update: Update): IngestTextItem | null {
  if (!('message' in update)) return null;
  const m = update.message;
  if (m?.chat?.type !== 'private' || !m.from || m.from.is_bot || !('text' in m)) return null;
  if (!Number.isSafeInteger(m.from.id) || m.from.id <= 0) return null;
  if ('reply_to_message' in m && m.reply_to_message) return null;
  const body = bodyTextOf(m);
  if (body === '' || body.startsWith('/')) return null;
  return {
    updateId: update.update_id,
    profile: profileOf(m.from),
    chatId: m.chat.id,
    telegramMessageId: m.message_id,
    body,
    pendingKey: pendingNewKey(m.from.id),
  };
}

interface Waiting {
  update: Update;
  item: IngestTextItem;
  resolve(outcome: UpdateOutcome): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the webhook: plain customer texts that arrive while a batch is being written wait for
 * the next one and are written together (db `ingestCustomerTexts`: one transaction, a fixed number of
 * statements). What the batch leaves to the full path — and every text of a batch that failed — runs
 * through `processOne`, one sender after another in arrival order, before the next batch starts. Other
 * updates go straight to `processOne`.
 */
export function createInboundBatcher(deps: {
  uc: UseCases;
  processOne(update: Update): Promise<UpdateOutcome>;
  metrics: BotMetrics;
  logger: Logger;
  maxBatch?: number;
  /** Batches written side by side; a sender always lands in the same lane, so lanes never wait on each other's locks. */
  lanes?: number;
}) {
  const { uc, processOne, metrics, logger } = deps;
  const maxBatch = deps.maxBatch ?? 100;
  const lanes = Array.from({ length: Math.max(1, deps.lanes ?? 2) }, () => ({
    queue: [] as Waiting[],
    draining: false,
  }));

  /** Each sender's texts in order; different senders side by side. */
  async function oneByOne(list: Waiting[]) {
    const bySender = new Map<number, Waiting[]>();
    for (const w of list) {
      const own = bySender.get(w.item.profile.id);
      if (own) own.push(w);
      else bySender.set(w.item.profile.id, [w]);
    }
    await Promise.all(
      [...bySender.values()].map(async (own) => {
        for (const w of own) await processOne(w.update).then(w.resolve, w.reject);
      }),
    );
  }

  async function writeBatch(batch: Waiting[]) {
    let outcomes: Awaited<ReturnType<UseCases['ingestCustomerTexts']>>;
    try {
      outcomes = await uc.ingestCustomerTexts(batch.map((w) => w.item));
    } catch (error) {
      logger.warn({ err: error, size: batch.length }, 'batch failed; its updates go one by one');
      return oneByOne(batch);
    }
    metrics.inboundBatches.inc();
    const left: Waiting[] = [];
    batch.forEach((w, i) => {
      const outcome = outcomes[i];
      if (outcome === 'processed' || outcome === 'duplicate') {
        metrics.updates.inc({ outcome });
        metrics.inboundBatched.inc();
        w.resolve(outcome);
      } else left.push(w);
    });
    if (left.length > 0) await oneByOne(left);
  }

  async function drain(lane: (typeof lanes)[number]) {
    lane.draining = true;
    while (lane.queue.length > 0) {
      const batch = lane.queue.splice(0, maxBatch);
      metrics.inboundWaiting.dec(batch.length);
      await writeBatch(batch);
    }
    lane.draining = false;
  }

  const idle: Array<() => void> = [];
  const settleIdle = () => {
    if (lanes.some((lane) => lane.draining)) return;
    for (const resolve of idle.splice(0)) resolve();
  };

  return {
    submit(update: Update): Promise<UpdateOutcome> {
      let item: IngestTextItem | null;
      try {
        item = plainTextOf(update);
      } catch {
        // Not shaped as Telegram documents it: the one-update way keeps it as a dead letter if it fails there.
        item = null;
      }
      if (!item) return processOne(update);
      return new Promise<UpdateOutcome>((resolve, reject) => {
        const lane = lanes[item.profile.id % lanes.length] as (typeof lanes)[number];
        lane.queue.push({ update, item, resolve, reject });
        metrics.inboundWaiting.inc();
        if (!lane.draining) void drain(lane).finally(settleIdle);
      });
    },
    /** Resolves once every text submitted so far has been written (for a clean stop). */
    drained(): Promise<void> {
      return new Promise((resolve) => {
        idle.push(resolve);
        settleIdle();
      });
    },
  };
}
