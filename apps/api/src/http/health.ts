import type { Bus } from '@tikethet/bus';
import { LIVENESS, readinessOf } from '@tikethet/config';
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
    res.json(LIVENESS);
  });
  router.get('/readyz', async (_req, res) => {
    const { httpStatus, body } = options.isDraining()
      ? readinessOf(true)
      : readinessOf(false, { db: await options.db.ping(), bus: options.bus.healthy });
    res.status(httpStatus).json(body);
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
