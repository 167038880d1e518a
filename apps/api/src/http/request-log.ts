import type { Logger } from '@tikethet/config';
import type { RequestHandler } from 'express';
import { requestIdOf } from './handlers';

const UNLOGGED = /\/(healthz|readyz|metrics)$/;

export function levelOf(status: number, failed: boolean): 'error' | 'warn' | 'info' {
  return failed || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

/**
 * X-Request-Id on every response and one log line per finished request (info; 4xx warn; 5xx or an aborted
 * response error), health and metrics excepted. Nothing is built for a request whose line the level drops
 * (pino-http serialised every request, headers included, into a child logger up front).
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = requestIdOf(req.headers['x-request-id']?.toString());
    res.setHeader('X-Request-Id', id);
    const url = req.originalUrl;
    if (!UNLOGGED.test(url)) {
      const started = performance.now();
      const done = () => {
        res.off('finish', done);
        res.off('close', done);
        const failed = !res.writableFinished;
        const level = levelOf(res.statusCode, failed);
        if (!logger.isLevelEnabled(level)) return;
        logger[level](
          {
            req: { id, method: req.method, url },
            res: { statusCode: res.statusCode },
            responseTime: Math.round(performance.now() - started),
          },
          failed ? 'request aborted' : 'request completed',
        );
      };
      res.on('finish', done);
      res.on('close', done);
    }
    next();
  };
}
