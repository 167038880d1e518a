import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, waitFor } from './wait';

describe('waitFor / eventually over real HTTP', () => {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ready: hits >= 3, hits }));
  });
  let base = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    hits = 0;
  });

  it('waitFor resolves with the first truthy value', async () => {
    const body = await waitFor(
      async () => {
        const r = (await (await fetch(`${base}/`)).json()) as { ready: boolean; hits: number };
        return r.ready ? r : undefined;
      },
      { timeoutMs: 2000, intervalMs: 5 },
    );
    expect(body.hits).toBe(3);
  });

  it('waitFor rejects on timeout naming the condition and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('boom');
        },
        { timeoutMs: 50, intervalMs: 5, description: 'server ready' },
      ),
    ).rejects.toThrow('waitFor: server ready not met within 50 ms: boom');
  });

  it('eventually retries an assertion until it passes', async () => {
    const result = await eventually(async () => {
      const r = (await (await fetch(`${base}/`)).json()) as { ready: boolean };
      expect(r.ready).toBe(true);
      return 'done';
    }, 2000);
    expect(result).toBe('done');
    expect(hits).toBe(3);
  });

  it('eventually rethrows the last assertion error', async () => {
    await expect(eventually(() => expect(1).toBe(2), 30)).rejects.toThrow(/toBe/);
  });
});
