import {
  adminEnv,
  baseEnv,
  botEnv,
  databaseEnv,
  defaultLogLevel,
  EnvError,
  loadEnv,
  portEnv,
  redisEnv,
  replicaEnv,
  resolvePort,
  statementTimeoutEnv,
  telegramAuthEnv,
} from './env';

describe('loadEnv', () => {
  it('parses REDIS_CLUSTER_NODES into hosts and ports, and names it when bad', () => {
    const env = loadEnv(redisEnv, { REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001' });
    expect(env.REDIS_CLUSTER_NODES).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    for (const bad of ['10.0.0.1', 'a:b', 'x:70000', ',']) {
      expect(() => loadEnv(redisEnv, { REDIS_CLUSTER_NODES: bad })).toThrow(/REDIS_CLUSTER_NODES/);
    }
    expect(loadEnv(redisEnv, {}).REDIS_CLUSTER_NODES).toBeUndefined();
  });

  it('reads the replica and its lag budget', () => {
    const env = loadEnv(replicaEnv, { DATABASE_REPLICA_URL: 'postgres://r:5433/db' });
    expect(env).toEqual({ DATABASE_REPLICA_URL: 'postgres://r:5433/db', DATABASE_REPLICA_MAX_LAG_MS: 1000 });
    expect(() => loadEnv(replicaEnv, { DATABASE_REPLICA_URL: 'redis://x' })).toThrow(/DATABASE_REPLICA_URL/);
    expect(() => loadEnv(replicaEnv, { DATABASE_REPLICA_MAX_LAG_MS: '-1' })).toThrow(
      /DATABASE_REPLICA_MAX_LAG_MS/,
    );
  });

  it('names a missing variable', () => {
    expect(() => loadEnv({ ...databaseEnv }, {})).toThrow(/DATABASE_URL/);
  });

  it('names each bad variable', () => {
    try {
      loadEnv(
        { ...databaseEnv, ...telegramAuthEnv },
        { DATABASE_URL: 'mysql://x', TELEGRAM_BOT_TOKEN: 'nope' },
      );
      throw new Error('should fail');
    } catch (e) {
      expect(e).toBeInstanceOf(EnvError);
      expect((e as EnvError).variables.sort()).toEqual(['DATABASE_URL', 'TELEGRAM_BOT_TOKEN']);
    }
  });

  it('applies defaults and parses lists', () => {
    const env = loadEnv(
      { ...baseEnv, ...adminEnv, ...botEnv, ...portEnv('API_PORT', 3000) },
      { ADMIN_TELEGRAM_IDS: '1, 2', DEV_LOGIN: '1', PORT: '' },
    );
    expect(env.ADMIN_TELEGRAM_IDS).toEqual([1, 2]);
    expect(env.DEV_LOGIN).toBe(true);
    expect(env.BOT_MODE).toBe('polling');
    expect(resolvePort(env, env.API_PORT)).toBe(3000);
  });

  it('lets PORT win over the app port', () => {
    const env = loadEnv({ ...portEnv('GATEWAY_PORT', 3001) }, { PORT: '9999', GATEWAY_PORT: '4000' });
    expect(resolvePort(env, env.GATEWAY_PORT)).toBe(9999);
  });

  it('DATABASE_STATEMENT_TIMEOUT_MS: 5000 by default, 0 turns it off, anything else bad is named', () => {
    expect(loadEnv({ ...statementTimeoutEnv }, {}).DATABASE_STATEMENT_TIMEOUT_MS).toBe(5000);
    expect(
      loadEnv({ ...statementTimeoutEnv }, { DATABASE_STATEMENT_TIMEOUT_MS: '0' })
        .DATABASE_STATEMENT_TIMEOUT_MS,
    ).toBe(0);
    for (const bad of ['-1', '1.5', 'soon', '600001']) {
      expect(() => loadEnv({ ...statementTimeoutEnv }, { DATABASE_STATEMENT_TIMEOUT_MS: bad })).toThrow(
        /DATABASE_STATEMENT_TIMEOUT_MS/,
      );
    }
  });

  it('rejects a malformed admin id list by name', () => {
    expect(() => loadEnv({ ...adminEnv }, { ADMIN_TELEGRAM_IDS: '1,abc' })).toThrow(/ADMIN_TELEGRAM_IDS/);
  });
});

describe('defaultLogLevel', () => {
  it('is LOG_LEVEL when set, silent under jest without it, info otherwise', () => {
    expect(defaultLogLevel({ LOG_LEVEL: 'debug', JEST_WORKER_ID: '1' })).toBe('debug');
    expect(defaultLogLevel({ JEST_WORKER_ID: '1' })).toBe('silent');
    expect(defaultLogLevel({})).toBe('info');
  });
});
