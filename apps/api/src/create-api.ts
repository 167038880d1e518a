import { UserCache } from '@tikethet/auth';
import type { Bus, RedisClient } from '@tikethet/bus';
import { createLogger, type Logger } from '@tikethet/config';
import {
  createBlobStore,
  createUseCases,
  type DbClient,
  type ReplicaMonitor,
  s3ConfigOf,
  type UseCases,
} from '@tikethet/db';
import type { BusMessage } from '@tikethet/domain';
import cors from 'cors';
import express from 'express';
import helmet from 'helmet';
import { createAuthenticator } from './auth/authenticate';
import { mountDevLogin } from './dev/dev-login';
import { type ApiEnv, devLoginEnabled } from './env';
import { rateLimited } from './http/errors';
import { errorHandler, notFound } from './http/handlers';
import { healthRouter } from './http/health';
import { requestLog } from './http/request-log';
import { staticHeaders } from './http/static-headers';
import { type ApiMetrics, createApiMetrics, observeRequests } from './metrics';
import { buildOpenApi } from './openapi/document';
import { describedApi } from './openapi/router';
import { limitKeys } from './rate-limit/keys';
import { createMemoryLimiter, createRedisLimiter, type RateLimiter } from './rate-limit/limiter';
import { rateLimit } from './rate-limit/middleware';
import { createReadRouting } from './read-routing';
import { mountRoutes } from './routes/mount';
import { routeTable } from './routes/table';
import { createTelegramFiles } from './routes/telegram-file';

export interface ApiDeps {
  env: ApiEnv;
  db: DbClient;
  bus: Bus;
  /** A streaming replica for list, search and stats reads, with the monitor that applies the lag rule. */
  replica?: { db: DbClient; monitor: ReplicaMonitor };
  /** Shared rate-limit counters (one Redis or a Redis Cluster); without it each process counts on its own. */
  redis?: RedisClient;
  logger?: Logger;
  /** Namespace of the Redis rate-limit keys (tests give each app its own). */
  rateLimitPrefix?: string;
}

export interface Api {
  /** Mount on any http server: /api/v1/*, /healthz and /readyz at the root and under /api/v1, /metrics at the root. */
  app: express.Express;
  useCases: UseCases;
  metrics: ApiMetrics;
  /** `/readyz` answers 503 from now on (in-flight and new requests are still served). */
  startDraining(): void;
  /** Stops listening to the bus and waits for pending publishes; the caller closes db, bus and Redis. */
  close(): Promise<void>;
}

/** Counts what this process publishes (events_published_total) without changing the bus. */
function countingBus(bus: Bus, metrics: ApiMetrics): Bus {
  return {
    publish: (message: BusMessage) =>
      bus.publish(message).then(
        () => void metrics.eventsPublished.inc({ kind: message.kind, result: 'ok' }),
        (error: unknown) => {
          metrics.eventsPublished.inc({ kind: message.kind, result: 'failed' });
          throw error;
        },
      ),
    subscribe: (handler, options) => bus.subscribe(handler, options),
    onStatus: (listener) => bus.onStatus(listener),
    get healthy() {
      return bus.healthy;
    },
    close: () => bus.close(),
  };
}

function limiterFor(deps: ApiDeps, logger: Logger): RateLimiter {
  const limit = deps.env.RATE_LIMIT_PER_MIN;
  const memory = createMemoryLimiter({ limit });
  if (!deps.redis) return memory;
  return createRedisLimiter({
    limit,
    redis: deps.redis,
    prefix: deps.rateLimitPrefix,
    fallback: memory,
    onFailure: (err) => logger.warn({ err }, 'rate limit: Redis failed; counting in process'),
  });
}

/** The HTTP API (ARCHITECTURE §11). It does not listen: `index.ts` or the launcher mounts `app`. */
export function createApi(deps: ApiDeps): Api {
  const { env } = deps;
  const logger = deps.logger ?? createLogger('api');
  const metrics = createApiMetrics();
  const bus = countingBus(deps.bus, metrics);
  const uc = createUseCases({ db: deps.db.db, bus, logger: logger.child({ module: 'api:use-cases' }) });
  const cache = new UserCache();
  const reads = createReadRouting({
    primary: uc,
    replica: deps.replica && {
      uc: createUseCases({
        db: deps.replica.db.db,
        bus,
        logger: logger.child({ module: 'api:replica-reads' }),
      }),
      monitor: deps.replica.monitor,
    },
  });
  let draining = false;

  // A role change anywhere drops the cached user; a bus outage may have lost such news, so forget all.
  // Only role changes matter here: on Redis Cluster that is the control channel alone, no ticket shard.
  const unsubscribe = deps.bus.subscribe(
    (message) => {
      if (message.kind === 'role_changed') cache.invalidate(message.userId);
    },
    { tickets: 'followed' },
  );
  const unwatch = deps.bus.onStatus(() => cache.clear());

  const authenticator = createAuthenticator({
    botToken: env.TELEGRAM_BOT_TOKEN,
    maxAgeS: env.INIT_DATA_MAX_AGE_S,
    adminIds: env.ADMIN_TELEGRAM_IDS,
    uc: {
      upsertUser: (profile, options) => {
        metrics.authUpserts.inc();
        return uc.upsertUser(profile, options);
      },
    },
    cache,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', env.TRUST_PROXY_HOPS);
  app.set('query parser', 'simple');
  app.use(requestLog(logger));
  app.use(staticHeaders(helmet()));
  // Only the Mini App's own origin is reflected; any other gets no CORS headers at all.
  const origin = env.PUBLIC_URL ? [new URL(env.PUBLIC_URL).origin] : false;
  app.use(
    cors({
      origin,
      methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    }),
  );
  app.use(observeRequests(metrics));

  // Metrics only at the app's own root: the public proxy forwards /api/* (ARCHITECTURE §11 keeps the probes there).
  const probes = { db: deps.db, bus: deps.bus, isDraining: () => draining };
  app.use(healthRouter({ ...probes, registry: metrics.registry }));

  const v1 = express.Router();
  v1.use(healthRouter(probes));
  const limiter = env.RATE_LIMIT_PER_MIN > 0 ? limiterFor(deps, logger) : undefined;
  // The route table counts after authentication (the user once signed in, else the client address); it is
  // mounted before the per-client middleware, which therefore only sees the other routes (sign-in, unknown paths).
  mountRoutes(v1, routeTable, {
    services: {
      uc,
      reads,
      env,
      cache,
      logger,
      blobs: createBlobStore({ db: deps.db.db, s3: s3ConfigOf(env) }),
      telegramFiles: createTelegramFiles({
        apiRoot: env.TELEGRAM_API_ROOT,
        botToken: env.TELEGRAM_BOT_TOKEN,
      }),
    },
    authenticator,
    limit: limiter
      ? async (req, userId) => {
          const decision = await limiter.hit(...limitKeys(req, userId));
          if (!decision.allowed) throw rateLimited(decision.retryAfterS);
        }
      : undefined,
  });
  if (limiter) v1.use(rateLimit(limiter, (req) => limitKeys(req)));
  // The described API: /api/v1/openapi.json and the page /api/docs, no sign-in, counted per client address.
  const described = describedApi(
    buildOpenApi(routeTable, { devLogin: devLoginEnabled(env) }),
    limiter ? [rateLimit(limiter, (req) => limitKeys(req))] : [],
  );
  v1.use(described.json);
  mountDevLogin(v1, { uc, cache, env, logger });
  app.use('/api/v1', v1);
  app.use('/api', described.page);
  app.use(notFound);
  app.use(errorHandler(logger));

  return {
    app,
    useCases: uc,
    metrics,
    startDraining() {
      draining = true;
    },
    async close() {
      unsubscribe();
      unwatch();
      await uc.flush();
    },
  };
}
