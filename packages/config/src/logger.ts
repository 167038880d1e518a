import pino, { type Logger } from 'pino';

export type { Logger };

let root: Logger | undefined;

/** The process-wide root logger (pino JSON to stdout); level from LOG_LEVEL, silent under jest unless set. */
export function rootLogger(level?: string): Logger {
  if (!root || level) {
    const fallback =
      process.env.JEST_WORKER_ID && !process.env.LOG_LEVEL ? 'silent' : (process.env.LOG_LEVEL ?? 'info');
    root = pino(loggerOptions(level ?? fallback));
  }
  return root;
}

/** How every process logs: JSON lines with the pid, errors through `serializeError`. */
export function loggerOptions(level: string): pino.LoggerOptions {
  return { level, base: { pid: process.pid }, serializers: { err: serializeError } };
}

/** One child logger per module: `createLogger('gateway:ws')`. */
export function createLogger(module: string): Logger {
  return rootLogger().child({ module });
}

/**
 * pino's error serializer, minus the values of a failed query: drizzle's query errors carry the statement's
 * parameters (customers' texts, names, chat ids) in `params` and at the end of their message and stack. The
 * statement text and the driver's error (the `cause`: code, constraint, message) stay.
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
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
