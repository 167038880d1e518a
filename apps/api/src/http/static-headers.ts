import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * Runs a middleware that only sets fixed response headers (helmet) once at start-up and returns a
 * middleware setting the same headers in one pass: helmet's dozen small middlewares cost more per
 * request than the cached read they wrap. Throws if the middleware did anything but set headers.
 */
export function staticHeaders(middleware: Middleware): RequestHandler {
  const headers: [string, string | number | readonly string[]][] = [];
  const removed: string[] = [];
  let called = false;
  const fakeRes = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.push([name, value]);
      return fakeRes;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  middleware(
    { headers: {}, method: 'GET', url: '/' } as IncomingMessage,
    fakeRes as unknown as ServerResponse,
    (err) => {
      if (err) throw err;
      called = true;
    },
  );
  if (!called) throw new Error('staticHeaders: the middleware did not call next synchronously');
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
