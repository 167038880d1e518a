import pino, { type Logger } from 'pino';

export type { Logger };

let root: Logger | undefined;

/** The process-wide root logger (pino JSON to stdout); level from LOG_LEVEL, silent under jest unless set. */
export function rootLogger(level?: string): Logger {
  if (!root || level) {
    const fallback =
      process.env.JEST_WORKER_ID && !process.env.LOG_LEVEL ? 'silent' : (process.env.LOG_LEVEL ?? 'info');
    root = pino({ level: level ?? fallback, base: { pid: process.pid } });
  }
  return root;
}

/** One child logger per module: `createLogger('gateway:ws')`. */
export function createLogger(module: string): Logger {
  return rootLogger().child({ module });
}
