import type { IncomingMessage, ServerResponse } from 'node:http';
import { LIVENESS, type Readiness } from '@tikethet/config';
import { asyncApiDocument } from '@tikethet/protocol/asyncapi';
import type { Registry } from 'prom-client';

export interface HealthChecks {
  /** The `/readyz` answer (packages/config `readinessOf`): draining, or Postgres and the bus. */
  ready(): Promise<{ httpStatus: number; body: Readiness }>;
  registry: Registry;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * `/healthz` (live), `/readyz` (DB, bus, not draining), `/metrics` (Prometheus text), `/asyncapi.json` (the
 * WebSocket protocol as AsyncAPI 3.0, generated from the schemas the gateway validates with).
 */
export function createHttpHandler(checks: HealthChecks) {
  const asyncApi = JSON.stringify(asyncApiDocument());
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: { code: 'method_not_allowed', message: 'GET only' } });
      return;
    }
    if (path === '/healthz') {
      json(res, 200, LIVENESS);
      return;
    }
    if (path === '/readyz') {
      checks.ready().then(
        (r) => json(res, r.httpStatus, r.body),
        () => json(res, 503, { status: 'unavailable', checks: {} }),
      );
      return;
    }
    if (path === '/asyncapi.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
      res.end(asyncApi);
      return;
    }
    if (path === '/metrics') {
      checks.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': checks.registry.contentType });
          res.end(text);
        },
        () => json(res, 500, { error: { code: 'internal', message: 'metrics unavailable' } }),
      );
      return;
    }
    json(res, 404, { error: { code: 'not_found', message: 'no such route' } });
  };
}
