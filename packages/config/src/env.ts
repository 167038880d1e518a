import { z } from 'zod';

/**
 * Environment fragments. Each app composes the fragments it needs into one schema in its own `env.ts`
 * and calls `loadEnv`; nothing else reads `process.env`.
 */
const bool01 = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL (${protocols.join(' or ')})`,
  );

export const baseEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEV_LOGIN: bool01.default(false),
};

export const databaseEnv = {
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
};

/**
 * An optional streaming replica for the API's list, search and stats reads, used only while it is at most
 * DATABASE_REPLICA_MAX_LAG_MS behind the primary (ARCHITECTURE, "Growing past one machine").
 */
export const replicaEnv = {
  DATABASE_REPLICA_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_REPLICA_MAX_LAG_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
};

/**
 * The API's limit on one SQL statement (ms; `0` = none): a statement past it is cancelled by Postgres and the
 * request answers 503 `timeout`. Lock waits count.
 */
export const statementTimeoutEnv = {
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
};

/** One `host:port` of REDIS_CLUSTER_NODES. */
const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, 'must be comma-separated host:port pairs')
  .transform((v) => {
    const at = v.lastIndexOf(':');
    return { host: v.slice(0, at), port: Number(v.slice(at + 1)) };
  })
  .refine((n) => n.port > 0 && n.port < 65536, 'a port must be 1-65535');

/**
 * `REDIS_CLUSTER_NODES` (some or all nodes of a Redis Cluster) wins over `REDIS_URL` and selects the
 * cluster client; neither set means the in-process bus and per-process limits.
 */
export const redisEnv = {
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(hostPort).min(1, 'must name at least one host:port'))
    .optional(),
};

export const telegramAuthEnv = {
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^[0-9]+:[A-Za-z0-9_-]{20,}$/, 'must look like 123456:ABC-DEF… (from @BotFather)'),
  INIT_DATA_MAX_AGE_S: z.coerce
    .number()
    .int()
    .min(10)
    .max(30 * 86400)
    .default(86400),
};

export const botEnv = {
  TELEGRAM_API_ROOT: url(['http:', 'https:']).default('https://api.telegram.org'),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1-256 characters of A-Z a-z 0-9 _ -')
    .optional(),
  BOT_MODE: z.enum(['webhook', 'polling']).default('polling'),
  TELEGRAM_WEBHOOK_URL: url(['https:', 'http:']).optional(),
  AGENTS_CHAT_ID: z.coerce.number().int().optional(),
};

export const publicUrlEnv = {
  PUBLIC_URL: url(['https:', 'http:']).optional(),
};

export const adminEnv = {
  ADMIN_TELEGRAM_IDS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(/^[1-9][0-9]{0,15}$/, 'must be comma-separated Telegram user ids')
          .transform(Number),
      ),
    ),
};

/**
 * Where uploaded files' bytes go (`s3Env`: the bot reads them too, to send them) and how big one may be. Postgres by default; `S3_BUCKET` selects an
 * S3-compatible store (`S3_ENDPOINT` for one that is not AWS, e.g. MinIO; path-style addressing then).
 */
export const s3Env = {
  S3_ENDPOINT: url(['http:', 'https:']).optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
    .optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
};

export const storageEnv = {
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 * 1024 * 1024 * 1024)
    .default(20 * 1024 * 1024),
  ...s3Env,
};

export const rateLimitEnv = {
  RATE_LIMIT_PER_MIN: z.coerce.number().int().min(0).default(300),
};

/** `PORT` (the platforms' convention) wins over the app's own port variable. */
export function portEnv<N extends 'API_PORT' | 'GATEWAY_PORT' | 'BOT_PORT' | 'MINIAPP_PORT'>(
  name: N,
  fallback: number,
) {
  return { PORT: z.coerce.number().int().min(0).max(65535).optional(), [name]: port(fallback) } as {
    PORT: z.ZodOptional<z.ZodCoercedNumber>;
  } & Record<N, z.ZodDefault<z.ZodCoercedNumber>>;
}

export function resolvePort(env: { PORT?: number | undefined }, own: number): number {
  return env.PORT ?? own;
}

export class EnvError extends Error {
  constructor(
    readonly variables: string[],
    message: string,
  ) {
    super(message);
    this.name = 'EnvError';
  }
}

/** The root logger's level when the app names none: LOG_LEVEL, else silent under jest, else info. */
export function defaultLogLevel(source: NodeJS.ProcessEnv = process.env): string {
  return source.JEST_WORKER_ID && !source.LOG_LEVEL ? 'silent' : (source.LOG_LEVEL ?? 'info');
}

/** Parses the environment with the composed shape; a bad or missing variable throws an EnvError naming it. */
export function loadEnv<T extends z.ZodRawShape>(
  shape: T,
  source: NodeJS.ProcessEnv = process.env,
): z.output<z.ZodObject<T>> {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = z.object(shape).safeParse(cleaned);
  if (result.success) return result.data;
  const variables = result.error.issues.map((i) => String(i.path[0] ?? '?'));
  const lines = result.error.issues.map((i) => `  ${String(i.path[0] ?? '?')}: ${i.message}`);
  throw new EnvError(variables, `Invalid environment:\n${lines.join('\n')}`);
}

/** For `index.ts` files: runs an env loader; an EnvError is printed (naming the variables) and exits 1. */
export function orExitOnEnvError<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** `loadEnv` that prints the EnvError and exits 1 instead of a stack trace. */
export function loadEnvOrExit<T extends z.ZodRawShape>(shape: T, source: NodeJS.ProcessEnv = process.env) {
  return orExitOnEnvError(() => loadEnv(shape, source));
}
