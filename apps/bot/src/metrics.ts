import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export interface BotMetrics {
  registry: Registry;
  updates: Counter<'outcome'>;
  sends: Counter<'outcome'>;
  queueDepth: Gauge;
  /** Plain customer texts waiting for the next batch. */
  inboundWaiting: Gauge;
  /** Batches written, and the updates they settled (processed or duplicate). */
  inboundBatches: Counter;
  inboundBatched: Counter;
}

/** One registry per bot instance (several can live in one test process). */
export function createMetrics(withDefaults = false): BotMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry });
  return {
    registry,
    updates: new Counter({
      name: 'bot_updates_total',
      help: 'Telegram updates by outcome (processed, duplicate, rejected, dead_letter, error)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    sends: new Counter({
      name: 'bot_outbox_sends_total',
      help: 'Outbound Bot API calls by outcome (sent, retry, rate_limited, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'bot_outbox_in_memory',
      help: 'Outbound calls claimed and waiting for their turn',
      registers: [registry],
    }),
    inboundWaiting: new Gauge({
      name: 'bot_inbound_waiting',
      help: 'Plain customer texts waiting for the next batch write',
      registers: [registry],
    }),
    inboundBatches: new Counter({
      name: 'bot_inbound_batches_total',
      help: 'Batch writes of plain customer texts (one transaction each)',
      registers: [registry],
    }),
    inboundBatched: new Counter({
      name: 'bot_inbound_batched_total',
      help: 'Updates settled by a batch write (the rest of a batch went one by one)',
      registers: [registry],
    }),
  };
}
