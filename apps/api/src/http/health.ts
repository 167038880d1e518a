import type { Bus } from '@tikethet/bus';
import type { DbClient } from '@tikethet/db';
import express, { type Router } from 'express';
import type { Registry } from 'prom-client';

export interface HealthOptions {
  db: DbClient;
  bus: Bus;
  /** Serves `/metrics` from it; absent: no `/metrics` (the router mounted under the public /api/v1 prefix). */
  registry?: Registry;
  isDraining: () => boolean;
}

/** `/healthz` (the process is alive), `/readyz` (DB and bus reachable, not shutting down), `/metrics`. */
export function healthRouter(options: HealthOptions): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (options.isDraining()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const db = await options.db.ping();
    const bus = options.bus.healthy;
    res.status(db && bus ? 200 : 503).json({ status: db && bus ? 'ready' : 'unavailable', db, bus });
  });
  const { registry } = options;
  if (registry) {
    router.get('/metrics', async (_req, res) => {
      res.setHeader('Content-Type', registry.contentType);
      res.end(await registry.metrics());
    });
  }
  return router;
}
