import { randomBytes } from 'node:crypto';
import type { Logger } from '@tikethet/config';
import type { Cluster, Redis } from 'ioredis';
import type { SendGate, SendLimiter, SendTicket } from './limiter';

// The same sliding-window logs as SendLimiter (its limits, spans and poll arrive as ARGV), kept in Redis
// sorted sets (member: one send, score: when it completed) so that every bot instance draws from one budget. Redis's own clock is the only clock. A send
// in flight is scored at the end of its lease (in the future): it counts, it is never the one that "leaves"
// first, and a crashed instance's sends stop counting a lease plus a window later.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = math.max(0, tonumber(redis.call('GET', KEYS[3]) or '0') - now,
  tonumber(redis.call('GET', KEYS[4]) or '0') - now)
local counts = ARGV[5] == '1'
local poll = tonumber(ARGV[8])
local function waitIn(key, limit, span)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
  local n = redis.call('ZCARD', key)
  if n < limit then return 0 end
  local leaving = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
  local at = tonumber(leaving[2])
  if at > now then return poll end
  return math.max(1, at + span - now)
end
if counts then
  wait = math.max(wait, waitIn(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])),
    waitIn(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4])))
end
if wait > 0 then return wait end
if counts then
  local lease = tonumber(ARGV[7])
  redis.call('ZADD', KEYS[1], now + lease, ARGV[6])
  redis.call('ZADD', KEYS[2], now + lease, ARGV[6])
  redis.call('PEXPIRE', KEYS[1], lease + tonumber(ARGV[2]))
  redis.call('PEXPIRE', KEYS[2], lease + tonumber(ARGV[4]))
end
return 0
`;

const DONE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
redis.call('ZADD', KEYS[2], 'XX', now, ARGV[1])
return 0
`;

const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
for _, key in ipairs(KEYS) do
  if now + ms > tonumber(redis.call('GET', key) or '0') then
    redis.call('SET', key, now + ms, 'PX', ms)
  end
end
return 0
`;

export interface SharedLimiterOptions {
  /** One Redis or a Redis Cluster. */
  redis: Redis | Cluster;
  /**
   * This process's limiter: its limits, guard and poll are the shared ones too, and it answers whenever
   * Redis does not, so the limits still hold per process.
   */
  local: SendLimiter;
  logger: Logger;
  /** Key prefix; instances of one bot share it. */
  prefix?: string;
  /** A Redis call slower than this falls back to the local limiter. Default 500 ms. */
  timeoutMs?: number;
  /** Longer than any Bot API call may take. Default 60 s. */
  leaseMs?: number;
}

/** The outbound limits shared by every bot instance through Redis (ARCHITECTURE §9), per process when Redis is away. */
export function createSharedLimiter(options: SharedLimiterOptions): SendGate {
  const { redis, local, logger } = options;
  const prefix = options.prefix ?? 'tikethet:bot:send';
  const timeoutMs = options.timeoutMs ?? 500;
  const leaseMs = options.leaseMs ?? 60_000;
  const instance = randomBytes(6).toString('hex');
  let sequence = 0;
  let degraded = false;

  // Every script touches the global keys and a chat's together, so all of them carry one hash tag: on a
  // Redis Cluster they share a slot (a script's keys must), on one Redis the braces change nothing.
  const tag = `{${prefix}}`;
  const keys = (chatId: number) => ({
    globalLog: `${tag}:log:all`,
    chatLog: `${tag}:log:${chatId}`,
    globalPause: `${tag}:pause:all`,
    chatPause: `${tag}:pause:${chatId}`,
  });

  async function call<T>(run: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('shared limiter: Redis timed out')), timeoutMs);
        }),
      ]);
      if (degraded) logger.info('shared send limits back in Redis');
      degraded = false;
      return result;
    } catch (error) {
      if (!degraded) logger.warn({ err: error }, 'shared send limits unavailable; limiting in this process');
      degraded = true;
      return undefined;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  return {
    async acquire(chatId, counts) {
      const k = keys(chatId);
      const all = local.limits.global;
      const chat = local.limitOf(chatId);
      sequence += 1;
      const member = `${instance}:${sequence}`;
      const waitMs = await call(() =>
        redis.eval(
          ACQUIRE,
          4,
          k.globalLog,
          k.chatLog,
          k.globalPause,
          k.chatPause,
          all.limit,
          local.spanOf(all),
          chat.limit,
          local.spanOf(chat),
          counts ? '1' : '0',
          member,
          leaseMs,
          local.inFlightPollMs,
        ),
      );
      if (waitMs === undefined) return local.acquire(chatId, counts);
      if (Number(waitMs) > 0) return { waitMs: Number(waitMs) };
      const ticket: SendTicket = {
        done: () => {
          void call(() => redis.eval(DONE, 2, k.globalLog, k.chatLog, member));
        },
      };
      return { waitMs: 0, ticket };
    },
    pause(chatId, ms, everyone) {
      local.pause(chatId, ms, everyone);
      const k = keys(chatId);
      const pauseKeys = everyone ? [k.chatPause, k.globalPause] : [k.chatPause];
      void call(() => redis.eval(PAUSE, pauseKeys.length, ...pauseKeys, Math.max(1, Math.ceil(ms))));
    },
  };
}
