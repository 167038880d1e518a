import type { NextFunction, Request, Response } from 'express';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The API's Prometheus metrics on a registry of its own (several APIs in one process do not clash). */
export function createApiMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'api_' });
  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const eventsPublished = new Counter({
    name: 'events_published_total',
    help: 'Bus messages this process published, by kind and result',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  const authUpserts = new Counter({
    name: 'api_auth_user_upserts_total',
    help: 'User rows written by authentication (cache misses)',
    registers: [registry],
  });
  return { registry, requestDuration, eventsPublished, authUpserts };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/** Observes every response with its route template (never the raw path: ids would explode the labels). */
export function observeRequests(metrics: ApiMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.requestDuration.startTimer();
    res.once('finish', () => {
      const template = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof template === 'string' ? `${req.baseUrl}${template}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
