import { createGatewayMetrics } from './metrics';

async function delivered(metrics: ReturnType<typeof createGatewayMetrics>) {
  const { values } = await metrics.eventsDelivered.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.path), v.value]));
}

it('adds the deliveries counted on the fan-out path to the counter when it is read, once', async () => {
  const metrics = createGatewayMetrics();
  metrics.delivered.ticket += 3;
  metrics.delivered.queue += 1;
  expect(await delivered(metrics)).toEqual({ ticket: 3, queue: 1 });
  expect(await delivered(metrics)).toEqual({ ticket: 3, queue: 1 });
  metrics.delivered.ticket += 2;
  expect(await metrics.registry.metrics()).toContain('gateway_events_delivered_total{path="ticket"} 5');
});
