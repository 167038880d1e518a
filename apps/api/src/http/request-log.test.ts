import type { Logger } from '@tikethet/config';
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { requestLog } from './request-log';
import { staticHeaders } from './static-headers';

type Level = 'error' | 'warn' | 'info';
const ORDER: Level[] = ['info', 'warn', 'error'];

function memoryLogger(min: Level) {
  const lines: { level: Level; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: Level) => (obj: Record<string, unknown>, msg: string) => lines.push({ level, obj, msg });
  const logger = {
    isLevelEnabled: (level: Level) => ORDER.indexOf(level) >= ORDER.indexOf(min),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  } as unknown as Logger;
  return { logger, lines };
}

function app(logger: Logger) {
  const a = express();
  a.use(requestLog(logger));
  a.get('/ok', (_req, res) => void res.json({ ok: true }));
  a.get('/healthz', (_req, res) => void res.json({ ok: true }));
  a.get('/boom', (_req, res) => void res.status(500).json({}));
  return a;
}

describe('requestLog', () => {
  it('logs one line per request at the level its status calls for, health excepted', async () => {
    const { logger, lines } = memoryLogger('info');
    const a = app(logger);
    const ok = await request(a).get('/ok').set('X-Request-Id', 'abc-123');
    expect(ok.headers['x-request-id']).toBe('abc-123');
    await request(a).get('/missing');
    await request(a).get('/boom');
    await request(a).get('/healthz');
    expect(lines.map((l) => [l.level, (l.obj.res as { statusCode: number }).statusCode])).toEqual([
      ['info', 200],
      ['warn', 404],
      ['error', 500],
    ]);
    expect(lines[0]?.obj.req).toEqual({ id: 'abc-123', method: 'GET', url: '/ok' });
    expect(lines[0]?.msg).toBe('request completed');
  });

  it('writes nothing below the configured level but still sets the request id', async () => {
    const { logger, lines } = memoryLogger('warn');
    const a = app(logger);
    const ok = await request(a).get('/ok');
    expect(ok.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await request(a).get('/missing');
    expect(lines.map((l) => l.level)).toEqual(['warn']);
  });
});

describe('staticHeaders(helmet())', () => {
  it('sets exactly the headers helmet sets', async () => {
    const plain = express().use(helmet());
    const fixed = express().use(staticHeaders(helmet()));
    for (const a of [plain, fixed]) a.get('/x', (_req, res) => void res.json({}));
    const strip = (h: Record<string, unknown>) => {
      const { date: _d, etag: _e, ...rest } = h;
      return rest;
    };
    const [a, b] = await Promise.all([request(plain).get('/x'), request(fixed).get('/x')]);
    expect(strip(b.headers)).toEqual(strip(a.headers));
    expect(b.headers['content-security-policy']).toBeDefined();
    expect(b.headers['x-powered-by']).toBeUndefined();
  });

  it('refuses a middleware that does more than set headers', () => {
    expect(() => staticHeaders((_req, _res, _next) => undefined)).toThrow(/did not call next/);
  });
});
