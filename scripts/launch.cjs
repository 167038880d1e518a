#!/usr/bin/env node
/**
 * The embedded-default launcher behind `pnpm start`: every app in this one process, on one origin.
 *
 *   no DATABASE_URL       -> embedded Postgres (PGlite over the Postgres wire protocol), data in .data/
 *   no REDIS_URL          -> the in-process bus (REDIS_CLUSTER_NODES, if set, wins: the sharded bus)
 *   no TELEGRAM_BOT_TOKEN -> the development token (bot id 0), DEV_LOGIN=1, bot off; refused in production
 *                            and on a non-loopback HOST (development sign-in hands out admin initData)
 *
 * The Mini App is served on HOST:LAUNCH_PORT (default 127.0.0.1:8080) with /api and /ws proxied to the API
 * and gateway, which listen on loopback ports of their own; only POST /telegram/webhook reaches the bot there.
 * With a bot, its admin endpoint (scripts/set-public-url) listens on 127.0.0.1:BOT_ADMIN_PORT (default 3003)
 * only, with BOT_ADMIN_SECRET (generated into .env when absent). TIKETHET_ENV_FILE: another .env (tests).
 */
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { randomBytes } = require('node:crypto');

const root = path.resolve(__dirname, '..');
const dataDir = path.resolve(process.env.TIKETHET_DATA_DIR ?? path.join(root, '.data'));
const envFile = path.resolve(process.env.TIKETHET_ENV_FILE ?? path.join(root, '.env'));
const config = () => require('@tikethet/config');

class LaunchError extends Error {}

function loadDotEnv() {
  const file = envFile;
  if (!fs.existsSync(file)) return;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    const value = m[2].replace(/^(['"])(.*)\1$/, '$2');
    if (process.env[m[1]] === undefined) process.env[m[1]] = value;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address().port));
  });
}

/** Embedded Postgres: PGlite keeps its files under .data/pglite and speaks the wire protocol on loopback. */
async function startEmbeddedPostgres() {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  // pg_trgm: the migrations create it (customer name search), as on every managed Postgres.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  fs.mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(path.join(dataDir, 'pglite'), { extensions: { pg_trgm } });
  const port = await freePort();
  // One connection: PGlite runs one session, so every transaction must come from the same client.
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 1 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/** The development bot token (bot id 0, never a real bot's), kept in .data so dev sign-ins survive restarts. */
function developmentToken() {
  const { developmentBotToken, isDevelopmentBotToken } = config();
  const file = path.join(dataDir, 'dev-bot-token');
  fs.mkdirSync(dataDir, { recursive: true });
  const kept = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  if (isDevelopmentBotToken(kept)) return kept;
  const token = developmentBotToken();
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** BOT_ADMIN_SECRET from the environment, else generated and appended to .env (kept mode 0600). */
function botAdminSecret(env) {
  if (env.BOT_ADMIN_SECRET) return env.BOT_ADMIN_SECRET;
  const secret = randomBytes(32).toString('base64url');
  const before = fs.existsSync(envFile) ? fs.readFileSync(envFile, 'utf8') : '';
  const line = `# Written by pnpm start: scripts/set-public-url sends it to the bot's loopback admin listener.\nBOT_ADMIN_SECRET=${secret}\n`;
  const temp = `${envFile}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${before}${before && !before.endsWith('\n') ? '\n' : ''}${line}`, { mode: 0o600 });
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, envFile);
  env.BOT_ADMIN_SECRET = secret;
  return secret;
}

const isLoopbackHost = (host) => /^(127(\.\d{1,3}){3}|::1|localhost)$/.test(host);

async function main() {
  loadDotEnv();
  const env = process.env;
  const production = env.NODE_ENV === 'production';
  const launchPort = Number(env.LAUNCH_PORT ?? 8080);
  const host = env.HOST || '127.0.0.1';
  const notes = [];

  // Before anything starts: the token rules (api and gateway check them again) and where dev sign-in may live.
  const botConfigured = Boolean(env.TELEGRAM_BOT_TOKEN);
  if (!botConfigured) {
    if (production) throw new LaunchError('NODE_ENV=production needs TELEGRAM_BOT_TOKEN (from @BotFather)');
    if (!isLoopbackHost(host)) {
      throw new LaunchError(
        `HOST=${host} would put the development sign-in (anyone becomes admin) on the network: set TELEGRAM_BOT_TOKEN, or leave HOST unset (127.0.0.1)`,
      );
    }
    env.TELEGRAM_BOT_TOKEN = developmentToken();
    env.DEV_LOGIN = '1';
    notes.push('bot: off (no TELEGRAM_BOT_TOKEN); development sign-in on, for this machine only');
  }
  config().checkBotToken({
    TELEGRAM_BOT_TOKEN: env.TELEGRAM_BOT_TOKEN,
    DEV_LOGIN: env.DEV_LOGIN === '1' || env.DEV_LOGIN === 'true',
    NODE_ENV: env.NODE_ENV ?? 'development',
  });

  let embedded;
  if (!env.DATABASE_URL) {
    embedded = await startEmbeddedPostgres();
    env.DATABASE_URL = embedded.url;
    env.DATABASE_POOL_SIZE = '1';
    notes.push(
      `database: embedded Postgres (PGlite) in ${path.relative(root, path.join(dataDir, 'pglite')) || dataDir}`,
    );
  } else {
    notes.push(`database: ${new URL(env.DATABASE_URL).host}`);
  }

  const { runMigrations, createDb, createPendingEventSource } = require('@tikethet/db');
  const { createBus, createRelay, redisTarget } = require('@tikethet/bus');
  await runMigrations(env.DATABASE_URL);
  const { loadApiEnv } = require('@tikethet/api');
  const apiEnv = loadApiEnv(env);
  const target = redisTarget(apiEnv);
  notes.push(
    !target
      ? 'bus: in-process'
      : target.url
        ? `bus: Redis ${new URL(target.url).host}`
        : `bus: Redis Cluster (${target.clusterNodes.length} seed nodes)`,
  );
  // One pool for the api, gateway and bot here: all run under the API's statement timeout (PGlite enforces none).
  const dbClient = createDb(env.DATABASE_URL, {
    max: Number(env.DATABASE_POOL_SIZE ?? 10),
    applicationName: 'tikethet-launcher',
    statementTimeoutMs: apiEnv.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  const bus = createBus({ redis: target });
  const relay = createRelay({ source: createPendingEventSource(dbClient.db), bus });
  relay.start();

  // API on a loopback port of its own.
  // SLA timers: the embedded server's one connection cannot be held for LISTEN, so the queue is polled there.
  const { createUseCases, startSlaTimerWorker } = require('@tikethet/db');
  const timerUseCases = createUseCases({ db: dbClient.db, bus });
  const timers = await startSlaTimerWorker({
    db: dbClient.db,
    fire: (ticketId) => timerUseCases.fireSlaTimer(ticketId),
    autoReply: (ticketId) => timerUseCases.sendAutoReply(ticketId),
    recomputeSla: (run) => timerUseCases.recomputeSla(run),
    mode: embedded || Number(env.DATABASE_POOL_SIZE ?? 10) <= 1 ? 'poll' : 'listen',
  });
  const { createApi, openReplica } = require('@tikethet/api');
  // DATABASE_REPLICA_URL (optional): list, search and stats reads on a streaming replica, as in a split deploy.
  const replica = openReplica(apiEnv, dbClient);
  if (replica.replica) notes.push(`read replica: ${new URL(env.DATABASE_REPLICA_URL).host}`);
  const api = createApi({ env: apiEnv, db: dbClient, replica: replica.replica, bus });
  const apiServer = config().allowSlowUploads(http.createServer(api.app));
  const apiPort = await listen(apiServer, 0, '127.0.0.1');

  // Gateway on a loopback port of its own.
  const { createGateway } = require('@tikethet/gateway');
  const { loadGatewayEnv } = require('@tikethet/gateway');
  const gateway = createGateway({ env: loadGatewayEnv(env), db: dbClient, bus });
  const gatewayServer = http.createServer((req, res) => gateway.httpHandler(req, res));
  gatewayServer.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  const gatewayPort = await listen(gatewayServer, 0, '127.0.0.1');

  let bot;
  let admin;
  if (botConfigured) {
    botAdminSecret(env);
    const { createBot } = require('@tikethet/bot');
    const { loadBotEnv } = require('@tikethet/bot');
    const botEnv = loadBotEnv(env);
    bot = createBot({ env: botEnv, db: dbClient, bus });
    await bot.start();
    notes.push(`bot: ${env.BOT_MODE ?? 'polling'}`);
    // The admin endpoint never on the public port: a loopback listener of its own.
    admin = http.createServer((req, res) => bot.adminHandler(req, res));
    try {
      await listen(admin, botEnv.BOT_ADMIN_PORT, '127.0.0.1');
      notes.push(
        `bot admin (scripts/set-public-url): 127.0.0.1:${botEnv.BOT_ADMIN_PORT}, BOT_ADMIN_SECRET in .env`,
      );
    } catch (error) {
      admin = undefined;
      notes.push(
        `bot admin: 127.0.0.1:${botEnv.BOT_ADMIN_PORT} is taken (${error.code}); set BOT_ADMIN_PORT`,
      );
    }
  }

  // The Mini App and its proxy on the one origin.
  const { BUILT_FILES_DIR, createMiniappServer } = require('@tikethet/miniapp');
  const front = createMiniappServer({
    distDir: BUILT_FILES_DIR,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
  });
  if (bot) {
    // Webhook updates reach the bot through the same origin.
    const serveFront = front.listeners('request').slice();
    front.removeAllListeners('request');
    front.on('request', (req, res) => {
      if ((req.url ?? '').split('?')[0] === '/telegram/webhook') return bot.httpHandler(req, res);
      for (const l of serveFront) l.call(front, req, res);
    });
  }
  await listen(front, launchPort, host);

  // localhost when that reaches the listener; else the address HOST named (IPv6 in brackets).
  const shown = ['127.0.0.1', '0.0.0.0', '::', 'localhost'].includes(host)
    ? 'localhost'
    : host.includes(':')
      ? `[${host}]`
      : host;
  const url = `http://${shown}:${launchPort}`;
  process.stdout.write(`\nTiketHet is running: ${url}\n${notes.map((n) => `  - ${n}`).join('\n')}\n\n`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 5000).unref();
    api.startDraining();
    gateway.startDraining();
    front.close();
    front.closeAllConnections?.();
    admin?.close();
    await gateway.close(1012).catch(() => undefined);
    apiServer.close();
    gatewayServer.close();
    if (bot) await bot.stop().catch(() => undefined);
    await relay.stop().catch(() => undefined);
    await timers.stop().catch(() => undefined);
    await api.close().catch(() => undefined);
    await replica.close().catch(() => undefined);
    await bus.close().catch(() => undefined);
    await dbClient.close().catch(() => undefined);
    if (embedded) await embedded.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error) => {
  // A refused configuration is a message naming the variable, not a stack trace.
  const plain = error instanceof LaunchError || error?.name === 'EnvError';
  process.stderr.write(`TiketHet could not start: ${plain ? error.message : (error?.stack ?? error)}\n`);
  process.exit(1);
});
