import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthChecks {
  /** False while draining or when Postgres or the bus is unreachable. */
  ready(): Promise<{ ok: boolean; checks: Record<string, boolean> }>;
  registry: Registry;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** `/healthz` (live), `/readyz` (DB, bus, not draining), `/metrics` (Prometheus text). */
export function createHttpHandler(checks: HealthChecks) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: { code: 'method_not_allowed', message: 'GET only' } });
      return;
    }
    if (path === '/healthz') {
      json(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/readyz') {
      checks.ready().then(
        (r) => json(res, r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not_ready', checks: r.checks }),
        () => json(res, 503, { status: 'not_ready' }),
      );
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
