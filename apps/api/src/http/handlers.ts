import { randomUUID } from 'node:crypto';
import type { Logger } from '@tikethet/config';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError, mapError } from './errors';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** X-Request-Id: a sane incoming one is kept (a proxy's), otherwise one is made; always echoed back. */
export function requestIdOf(header: string | undefined): string {
  return header && REQUEST_ID.test(header) ? header : randomUUID();
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`));
};

/** The one place errors become responses (ARCHITECTURE §11 shape); only our own faults are 500 and logged as such. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const mapped = mapError(error);
    if (mapped.unexpected)
      logger.error({ err: error, method: req.method, url: req.originalUrl }, 'unexpected error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.set(mapped.headers).status(mapped.status).json(mapped.body);
  };
}
