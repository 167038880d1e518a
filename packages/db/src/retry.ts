/**
 * Errors that mean the connection died under the statement (a terminated backend, a restarted server, a
 * dropped socket) rather than that the statement was wrong. The transaction did not commit (a death during
 * COMMIT itself is the one ambiguous case; idempotency keys cover it), so running it again is safe.
 */
const CONNECTION_SQLSTATES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection terminated',
  'Client has encountered a connection error',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'timeout exceeded when trying to connect',
];

export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth += 1) {
    const candidate = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (
      typeof candidate.code === 'string' &&
      (CONNECTION_SQLSTATES.has(candidate.code) || candidate.code.startsWith('ECONN'))
    ) {
      return true;
    }
    // Only the innermost error's words: a wrapper's message (drizzle's failed query) quotes the statement's
    // values, which are anyone's text.
    if (
      candidate.cause === undefined &&
      typeof candidate.message === 'string' &&
      CONNECTION_MESSAGES.some((m) => String(candidate.message).includes(m))
    ) {
      return true;
    }
    e = candidate.cause;
  }
  return false;
}

/** Postgres cancelled the statement (SQLSTATE 57014: `statement_timeout`, or a cancel request). */
export function isStatementTimeout(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth += 1) {
    const candidate = e as { code?: unknown; cause?: unknown };
    if (candidate.code === '57014') return true;
    e = candidate.cause;
  }
  return false;
}

/** Runs `fn`, retrying up to `attempts - 1` times when the database connection failed under it. */
export async function withConnectionRetry<T>(fn: () => Promise<T>, attempts = 3, delayMs = 50): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isConnectionError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs * attempt));
    }
  }
}
