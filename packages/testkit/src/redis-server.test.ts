import { pingRedisPort, type RedisServerHandle, startRedisServer } from './redis-server';

describe('startRedisServer', () => {
  let server: RedisServerHandle;

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('runs a private redis-server on a free loopback port', async () => {
    expect(server.port).not.toBe(6379);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(await pingRedisPort(server.port)).toBe(true);
  });

  it('freezes and thaws', async () => {
    server.freeze();
    expect(await pingRedisPort(server.port, 300)).toBe(false);
    server.thaw();
    expect(await pingRedisPort(server.port)).toBe(true);
  });

  it('is killed and restarted on the same port', async () => {
    await server.kill();
    expect(await pingRedisPort(server.port)).toBe(false);
    await server.restart();
    expect(await pingRedisPort(server.port)).toBe(true);
  });

  it('refuses the shared port', async () => {
    await expect(startRedisServer({ port: 6379 })).rejects.toThrow(/6379/);
  });
});
