import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createIdentity, UserCache } from '@tikethet/auth';
import type { Bus } from '@tikethet/bus';
import { createLogger, type Logger, readinessOf } from '@tikethet/config';
import { createUseCases, type DbClient } from '@tikethet/db';
import { CloseCode, type CloseCodeValue } from '@tikethet/protocol';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { broadcastPresence, catchUpAll, routeBusMessage } from './bus-router';
import { clientAddress } from './client-address';
import { Connection } from './connection';
import type { GatewayContext } from './context';
import type { GatewayEnv } from './env';
import { createEventReader } from './event-reader';
import { createHelloDeadlines } from './hello-deadlines';
import { createHttpHandler } from './http-handler';
import { createGatewayMetrics, type GatewayMetrics } from './metrics';
import { every } from './periodic';
import { startPinger } from './ping';
import { createPresence } from './presence';
import { handleFrame } from './session';
import { releaseConnection } from './subscriptions';
import { recheckRoles, sweepTickets } from './sweep';
import { createUserDirectory } from './user-directory';

/** How long a user read for a hello answers that user's next hellos (role changes evict at once). */
const USER_KEEP_MS = 5_000;

export interface GatewayDeps {
  env: GatewayEnv;
  db: DbClient;
  bus: Bus;
  logger?: Logger;
  /** Names this instance in presence announcements; random by default. */
  gatewayId?: string;
}

export interface Gateway {
  /** For the server's `upgrade` event: accepts `/ws`, refuses anything else. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** `/healthz`, `/readyz`, `/metrics`. */
  httpHandler(req: IncomingMessage, res: ServerResponse): void;
  metrics: GatewayMetrics;
  readonly connectionCount: number;
  /** `/readyz` turns 503 and new upgrades are refused. */
  startDraining(): void;
  /** Closes every socket with `code` (1012 by default) and stops; the caller closes db and bus. */
  close(code?: CloseCodeValue): Promise<void>;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.on('error', () => undefined);
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

/** The realtime gateway (ARCHITECTURE §3, §12). It does not listen: the caller mounts it on an http server. */
export function createGateway(deps: GatewayDeps): Gateway {
  const { env, db, bus } = deps;
  const logger = deps.logger ?? createLogger('gateway:ws');
  const gatewayId = deps.gatewayId ?? `gw-${randomBytes(6).toString('hex')}`;
  const metrics = createGatewayMetrics();
  const uc = createUseCases({ db: db.db, bus, logger });
  let draining = false;
  let closed = false;

  // The one way from initData to a user (packages/auth): kept only while role changes can be heard.
  const identity = createIdentity({
    botToken: env.TELEGRAM_BOT_TOKEN,
    maxAgeS: env.INIT_DATA_MAX_AGE_S,
    adminIds: env.ADMIN_TELEGRAM_IDS,
    upsertUser: (profile, options) => uc.upsertUser(profile, options),
    cache: new UserCache({ ttlMs: USER_KEEP_MS }),
    canKeep: () => bus.healthy,
  });
  const ctx: GatewayContext = {
    env,
    uc,
    bus,
    logger,
    metrics,
    read: createEventReader(
      (ticketId, after, limit) => uc.readEvents(ticketId, after, limit),
      () => metrics.catchUps.inc(),
    ),
    presence: createPresence({
      gatewayId,
      bus,
      intervalMs: env.PRESENCE_INTERVAL_MS,
      onChange: (ticketId, viewers) => broadcastPresence(ctx, ticketId, viewers),
      onPublishError: (err) => logger.debug({ err }, 'presence not announced'),
    }),
    identity,
    userDirectory: createUserDirectory(identity, { ttlMs: USER_KEEP_MS, canKeep: () => bus.healthy }),
    topics: new Map(),
    follows: new Map(),
    users: new Map(),
    connections: new Set(),
  };

  // On Redis Cluster only the shards of the topics followed here arrive (bus-follows.ts).
  const offMessages = bus.subscribe((message) => routeBusMessage(ctx, message), { tickets: 'followed' });
  let wasDown = false;
  const offStatus = bus.onStatus((status) => {
    metrics.busUp.set(status === 'up' ? 1 : 0);
    // Role changes published while the bus was down were missed: users are read again from Postgres.
    ctx.userDirectory.forgetAll();
    if (status === 'down') {
      wasDown = true;
      logger.warn('bus down; will catch up from Postgres when it returns');
      return;
    }
    catchUpAll(ctx);
    ctx.presence.announceAll();
    if (wasDown) {
      recheckRoles(ctx).catch((err: unknown) => logger.warn({ err }, 'role re-check failed'));
    }
  });
  if (bus.healthy) metrics.busUp.set(1);

  const limits = { maxBufferedBytes: env.MAX_BUFFERED_BYTES, framesPerSecond: env.MAX_FRAMES_PER_S };
  const stopPinger = startPinger(ctx.connections, env.PING_INTERVAL_MS);

  const stopSweep = every(
    env.SWEEP_INTERVAL_MS,
    () => sweepTickets(ctx),
    (err) => logger.warn({ err }, 'sweep failed'),
  );
  const stopRoleRecheck = every(
    env.ROLE_RECHECK_MS,
    () => recheckRoles(ctx),
    (err) => logger.warn({ err }, 'role re-check failed'),
  );

  // Every socket is a GatewaySocket: ws's events go straight to these handlers, and a socket carries its
  // connection in a field. One timer serves every socket still owing its hello. An idle socket costs no
  // listeners, closures or timers of its own.
  const awaitingHello = createHelloDeadlines<Connection>(env.HELLO_TIMEOUT_MS, (conn) => {
    if (!conn.actor) conn.close(CloseCode.policy, 'hello expected', 'hello_timeout');
  });
  const onFrameError = (conn: Connection) => (err: unknown) => {
    logger.error({ err }, 'frame handling failed');
    conn.sendJson({ type: 'error', code: 'internal', message: 'try again' });
  };

  function onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    conn.alive = true;
    if (conn.closed) return;
    if (isBinary) {
      conn.sendJson({ type: 'error', code: 'bad_request', message: 'frames are JSON text' });
      return;
    }
    const raw = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
    conn.enqueue(() => handleFrame(ctx, conn, raw), onFrameError(conn));
  }

  /** Open sockets per client address (before and after hello), for MAX_SOCKETS_PER_IP. */
  const perAddress = new Map<string, number>();

  function onClose(conn: Connection): void {
    const left = (perAddress.get(conn.address) ?? 1) - 1;
    if (left > 0) perAddress.set(conn.address, left);
    else perAddress.delete(conn.address);
    awaitingHello.delete(conn);
    conn.closed = true;
    ctx.connections.delete(conn);
    metrics.connections.dec();
    if (conn.person) metrics.authenticated.dec();
    releaseConnection(ctx, conn);
  }

  class GatewaySocket extends WebSocket {
    conn: Connection | undefined;

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      const conn = this.conn;
      switch (event) {
        case 'message':
          if (conn) onMessage(conn, args[0] as RawData, args[1] === true);
          return true;
        case 'pong':
          if (conn) conn.alive = true;
          return true;
        case 'error':
          logger.debug({ err: (args[0] as Error | undefined)?.message }, 'socket error');
          return true;
        case 'close':
          this.conn = undefined;
          if (conn) onClose(conn);
          break;
      }
      return super.emit(event, ...args);
    }
  }

  const wss = new WebSocketServer({
    noServer: true,
    WebSocket: GatewaySocket,
    // The gateway tracks its connections itself; ws's tracking would add a Set entry and a listener per socket.
    clientTracking: false,
    maxPayload: env.MAX_FRAME_BYTES,
    perMessageDeflate: false,
  });

  function onConnection(socket: GatewaySocket, address: string): void {
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    const conn = new Connection(socket, limits, metrics, address);
    socket.conn = conn;
    ctx.connections.add(conn);
    metrics.connections.inc();
    awaitingHello.add(conn);
  }

  const httpHandler = createHttpHandler({
    registry: metrics.registry,
    async ready() {
      return draining ? readinessOf(true) : readinessOf(false, { db: await db.ping(), bus: bus.healthy });
    },
  });

  return {
    handleUpgrade(req, socket, head) {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/ws') return refuse(socket, 404, 'Not Found');
      if (draining || closed) return refuse(socket, 503, 'Service Unavailable');
      const address = clientAddress(req, env.TRUST_PROXY_HOPS);
      if ((perAddress.get(address) ?? 0) >= env.MAX_SOCKETS_PER_IP) {
        metrics.refusals.inc({ reason: 'ip_sockets' });
        return refuse(socket, 429, 'Too Many Requests');
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws as GatewaySocket, address));
    },
    httpHandler,
    metrics,
    get connectionCount() {
      return ctx.connections.size;
    },
    startDraining() {
      draining = true;
    },
    async close(code = CloseCode.restart) {
      if (closed) return;
      closed = true;
      draining = true;
      stopPinger();
      stopSweep();
      stopRoleRecheck();
      awaitingHello.stop();
      offMessages();
      offStatus();
      const gone = [...ctx.connections].map(
        (conn) =>
          new Promise<void>((resolve) => {
            if (conn.socket.readyState === conn.socket.CLOSED) return resolve();
            conn.socket.once('close', () => resolve());
            conn.close(code, code === CloseCode.restart ? 'server restart' : 'closing', 'shutdown');
          }),
      );
      await Promise.race([Promise.all(gone), new Promise((resolve) => setTimeout(resolve, 1500).unref())]);
      for (const conn of ctx.connections) conn.socket.terminate();
      await ctx.presence.stop();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
