import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { isReachable, testDatabaseAdminUrl } from './services';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/** One request on its own connection (no pooling, so every request crosses the proxy afresh). */
function get(url: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

describe('tcp proxy over real HTTP', () => {
  const target = http.createServer((req, res) => {
    const delay = req.url === '/slow' ? 1500 : 0;
    const timer = setTimeout(() => res.end(`pong ${req.url}`), delay);
    res.on('close', () => clearTimeout(timer));
  });
  let proxy: TcpProxy;

  beforeAll(() => new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise<void>((resolve) => target.close(() => resolve())));
  beforeEach(async () => {
    proxy = await startTcpProxy({
      target: { host: '127.0.0.1', port: (target.address() as AddressInfo).port },
    });
  });
  afterEach(() => proxy.close());

  it('forwards traffic and rewrites URLs', async () => {
    expect(await get(`${proxy.url('http')}/a`)).toEqual({ status: 200, body: 'pong /a' });
    expect(proxy.url('postgres://postgres@10.0.0.5:5432/test?sslmode=disable')).toBe(
      `postgres://postgres@127.0.0.1:${proxy.port}/test?sslmode=disable`,
    );
  });

  it('pause() holds bytes without closing, resume() delivers them', async () => {
    proxy.pause();
    let settled = false;
    const pending = get(`${proxy.url('http')}/held`).finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    expect(proxy.connections).toBe(1);
    proxy.resume();
    expect(await pending).toEqual({ status: 200, body: 'pong /held' });
  });

  it('killConnections() resets open connections', async () => {
    const pending = get(`${proxy.url('http')}/slow`);
    await new Promise((r) => setTimeout(r, 200));
    proxy.killConnections();
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(proxy.connections).toBe(0);
    expect((await get(`${proxy.url('http')}/after`)).body).toBe('pong /after');
  });

  it('setDown(true) refuses new connections until setDown(false)', async () => {
    await proxy.setDown(true);
    await expect(get(`${proxy.url('http')}/x`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.setDown(false);
    expect((await get(`${proxy.url('http')}/x`)).body).toBe('pong /x');
  });
});

describe('tcp proxy in front of PostgreSQL', () => {
  it('breaks and restores a pg connection', async () => {
    const adminUrl = testDatabaseAdminUrl();
    const reachable = await isReachable(adminUrl);
    if (!reachable)
      throw new Error(`PostgreSQL at ${adminUrl} is not reachable (run under the testkit globalSetup)`);
    const url = new URL(adminUrl);
    const proxy = await startTcpProxy({ target: { host: url.hostname, port: Number(url.port || 5432) } });
    try {
      const client = new pg.Client({ connectionString: proxy.url(adminUrl) });
      client.on('error', () => undefined);
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      proxy.killConnections();
      await expect(client.query('SELECT 1')).rejects.toThrow();
      await client.end().catch(() => undefined);
      const again = new pg.Client({ connectionString: proxy.url(adminUrl) });
      await again.connect();
      expect((await again.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
      await again.end();
    } finally {
      await proxy.close();
    }
  });
});
