import {
  adminEnv,
  baseEnv,
  checkBotToken,
  databaseEnv,
  loadEnv,
  portEnv,
  redisEnv,
  resolvePort,
  telegramAuthEnv,
} from '@tikethet/config';
import { z } from 'zod';

const ms = (fallback: number, min = 10) => z.coerce.number().int().min(min).max(3_600_000).default(fallback);
const bytes = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 ** 3)
    .default(fallback);

const count = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

/** Everything the gateway reads from the environment (ARCHITECTURE §10) plus its tunables. */
export const gatewayEnvShape = {
  ...baseEnv,
  ...databaseEnv,
  ...redisEnv,
  ...telegramAuthEnv,
  ...adminEnv,
  ...portEnv('GATEWAY_PORT', 3001),
  /** Server ping interval; a socket that missed the previous pong is terminated. */
  PING_INTERVAL_MS: ms(30_000),
  /** The first frame must be `hello` within this time. */
  HELLO_TIMEOUT_MS: ms(5_000),
  /** A socket whose unsent buffer exceeds this is closed (slow consumer). */
  MAX_BUFFERED_BYTES: bytes(1024 * 1024),
  /** Largest accepted client frame; bigger ones close the socket with 1009. */
  MAX_FRAME_BYTES: bytes(16 * 1024),
  /** Client frames per second a socket may sustain (burst: 5 s worth); beyond that it is closed with 1008. */
  MAX_FRAMES_PER_S: z.coerce.number().int().min(1).max(10_000).default(20),
  /** How often subscribed tickets are checked against Postgres for events the bus never delivered. */
  SWEEP_INTERVAL_MS: ms(15_000),
  /** How often this gateway re-announces its viewers (presence of a dead gateway expires after 3×). */
  PRESENCE_INTERVAL_MS: ms(20_000),
  /**
   * How often the roles of the live sockets' users are re-read from Postgres (one query for all): a role
   * change takes effect within this time even when its `role_changed` publish was lost. At most 5 s (ARCHITECTURE §12).
   */
  ROLE_RECHECK_MS: z.coerce.number().int().min(10).max(5_000).default(5_000),
  /** Sockets one user may hold open at once; the hello of one more is answered `too_many_sockets` and 4429. */
  MAX_SOCKETS_PER_USER: count(20),
  /**
   * Sockets one client address may hold open, before and after hello; one more upgrade is refused with HTTP
   * 429. The address is the one TRUST_PROXY_HOPS names: behind a proxy that does not forward the client's
   * address, every user shares the proxy's.
   */
  MAX_SOCKETS_PER_IP: count(200),
  /** Topics (tickets and the queue) one socket may follow; one more is answered `too_many_subscriptions`. */
  MAX_SUBSCRIPTIONS_PER_SOCKET: count(100),
  /**
   * Reverse proxies in front of the gateway, as for the API: the client address is taken that many hops from
   * the right of X-Forwarded-For (0: the socket's own address).
   */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(1),
};

export type GatewayEnv = ReturnType<typeof loadGatewayEnv>;

/** Parses the gateway's environment; the bot token is checked as the API checks it (`checkBotToken`). */
export function loadGatewayEnv(source: NodeJS.ProcessEnv = process.env) {
  const env = loadEnv(gatewayEnvShape, source);
  checkBotToken(env);
  return env;
}

export function gatewayPort(env: GatewayEnv): number {
  return resolvePort(env, env.GATEWAY_PORT);
}
