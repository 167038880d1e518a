import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export interface BotMetrics {
  registry: Registry;
  updates: Counter<'outcome'>;
  sends: Counter<'outcome'>;
  queueDepth: Gauge;
}

/** One registry per bot instance (several can live in one test process). */
export function createMetrics(withDefaults = false): BotMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry });
  return {
    registry,
    updates: new Counter({
      name: 'bot_updates_total',
      help: 'Telegram updates by outcome (processed, duplicate, rejected, error)',
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
  };
}
