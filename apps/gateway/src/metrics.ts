import { Counter, Gauge, Registry } from 'prom-client';

/** The gateway's Prometheus metrics, on a registry of its own (two gateways in one process do not clash). */
export function createGatewayMetrics() {
  const registry = new Registry();
  /**
   * Event frames sent, counted with plain additions on the fan-out path (a labelled `inc` per socket costs more
   * than the send) and added to `gateway_events_delivered_total` when the registry is read.
   */
  const delivered = { ticket: 0, queue: 0 };
  const connections = new Gauge({
    name: 'gateway_connections',
    help: 'Open WebSocket connections',
    registers: [registry],
  });
  const authenticated = new Gauge({
    name: 'gateway_authenticated_connections',
    help: 'Connections that completed hello',
    registers: [registry],
  });
  const subscriptions = new Gauge({
    name: 'gateway_subscriptions',
    help: 'Active topic subscriptions',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const framesReceived = new Counter({
    name: 'gateway_frames_received_total',
    help: 'Client frames received',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const eventsDelivered = new Counter({
    name: 'gateway_events_delivered_total',
    help: 'Event frames sent to sockets',
    labelNames: ['path'] as const,
    registers: [registry],
    collect() {
      for (const path of ['ticket', 'queue'] as const) {
        if (delivered[path] > 0) this.inc({ path }, delivered[path]);
        delivered[path] = 0;
      }
    },
  });
  const busMessages = new Counter({
    name: 'gateway_bus_messages_total',
    help: 'Bus messages received',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const closes = new Counter({
    name: 'gateway_closes_total',
    help: 'Sockets closed by the gateway, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'gateway_refusals_total',
    help: 'Requests refused by a cap: ip_sockets (upgrade), user_sockets (hello), subscriptions (subscribe)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const busUp = new Gauge({
    name: 'gateway_bus_up',
    help: '1 while the bus subscription is live',
    registers: [registry],
  });
  const catchUps = new Counter({
    name: 'gateway_catch_up_reads_total',
    help: 'Postgres reads of the event log (replays, gaps, catch-ups)',
    registers: [registry],
  });
  return {
    registry,
    connections,
    authenticated,
    subscriptions,
    framesReceived,
    eventsDelivered,
    delivered,
    busMessages,
    closes,
    refusals,
    busUp,
    catchUps,
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
