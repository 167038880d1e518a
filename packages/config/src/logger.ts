import pino, { type Logger } from 'pino';
import { defaultLogLevel } from './env';

export type { Logger };

let root: Logger | undefined;

/** The process-wide root logger (pino JSON to stdout); level from LOG_LEVEL, silent under jest unless set. */
export function rootLogger(level?: string): Logger {
  if (!root || level) {
    root = pino(loggerOptions(level ?? defaultLogLevel()));
  }
  return root;
}

/**
 * How every process logs: JSON lines with the pid, errors through `serializeError`, and no bot token in any
 * line, whichever field carries it (the last hook sees the finished line).
 */
export function loggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: { pid: process.pid },
    serializers: { err: serializeError },
    hooks: { streamWrite: redactTokens },
  };
}

/** A Telegram bot token (`<bot id>:<secret>`), as Bot API URLs carry it after `/bot`. */
const BOT_TOKEN = /\d{3,}:[A-Za-z0-9_-]{30,}/g;

/** The text with every bot token replaced by `[redacted]` (`…/bot[redacted]/sendMessage`). */
export function redactTokens(text: string): string {
  return text.replace(BOT_TOKEN, '[redacted]');
}

/** A copy of a value with every string redacted (objects are copied: they may be the caller's own). */
function redactDeep(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactTokens(value);
  if (!value || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, seen);
  return out;
}

/** One child logger per module: `createLogger('gateway:ws')`. */
export function createLogger(module: string): Logger {
  return rootLogger().child({ module });
}

/**
 * pino's error serializer, minus any bot token (telegraf and node-fetch put the request URL into some errors)
 * and minus the values of a failed query: drizzle's query errors carry the statement's
 * parameters (customers' texts, names, chat ids) in `params` and at the end of their message and stack. The
 * statement text and the driver's error (the `cause`: code, constraint, message) stay.
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  // pino built this object for this call: its fields are redacted in place, keeping its prototype.
  if (serialized && typeof serialized === 'object') {
    const fields = serialized as Record<string, unknown>;
    for (const key of Object.keys(fields)) fields[key] = redactDeep(fields[key]);
  }
  if (!serialized || typeof serialized !== 'object' || !('params' in serialized)) return serialized;
  const { params: _params, ...rest } = serialized as Record<string, unknown>;
  if (typeof rest.message === 'string') rest.message = withoutParams(rest.message);
  if (typeof rest.stack === 'string') rest.stack = withoutParams(rest.stack);
  // The driver's error with its fields (code, constraint), which the stack alone does not show.
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) rest.cause = serializeError(cause);
  return rest;
}

/** "Failed query: …\nparams: …" up to the first stack frame (a parameter may span lines). */
function withoutParams(text: string): string {
  return text.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, '\nparams: [redacted]');
}
