import net from 'node:net';

export interface TcpProxyTarget {
  host: string;
  port: number;
}

export interface TcpProxy {
  readonly port: number;
  /** `url('redis')` -> `redis://127.0.0.1:PORT`; a full URL keeps its user, path and query, host:port swapped. */
  url(protocolOrUrl: string): string;
  /** Connections currently open through the proxy. */
  readonly connections: number;
  /** Stops forwarding bytes (both ways) but keeps every socket open: the peer seems to hang. */
  pause(): void;
  /** Forwards what was held back and carries on. */
  resume(): void;
  /** Resets every open connection (both sides see ECONNRESET / an abrupt close). */
  killConnections(): void;
  /** `true`: new connections are refused (ECONNREFUSED); open ones stay. `false`: accepts again. */
  setDown(down: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface StartTcpProxyOptions {
  target: TcpProxyTarget;
  /** Default: a free port chosen by the OS. */
  port?: number;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  held: Array<{ to: net.Socket; chunk: Buffer | null }>;
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** A loopback TCP proxy for fault injection in front of Postgres, Redis or any TCP service. */
export async function startTcpProxy(options: StartTcpProxyOptions): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let paused = false;

  /** Sends a chunk (`null` = end of stream) or holds it while paused. */
  const forward = (pair: Pair, to: net.Socket, chunk: Buffer | null) => {
    if (paused) pair.held.push({ to, chunk });
    else if (chunk === null) to.end();
    else to.write(chunk);
  };

  const onConnection = (client: net.Socket) => {
    const upstream = net.connect({ host: options.target.host, port: options.target.port });
    const pair: Pair = { client, upstream, held: [] };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => forward(pair, upstream, chunk));
    upstream.on('data', (chunk: Buffer) => forward(pair, client, chunk));
    client.on('end', () => forward(pair, upstream, null));
    upstream.on('end', () => forward(pair, client, null));
    client.on('error', drop);
    upstream.on('error', () => {
      pairs.delete(pair);
      client.resetAndDestroy();
      upstream.destroy();
    });
    client.on('close', drop);
    upstream.on('close', () => {
      if (!paused) drop();
    });
  };

  let server = net.createServer({ allowHalfOpen: true }, onConnection);
  const port = await listen(server, options.port ?? 0);
  let down = false;

  return {
    port,
    url(protocolOrUrl) {
      if (!protocolOrUrl.includes('://')) return `${protocolOrUrl.replace(/:$/, '')}://127.0.0.1:${port}`;
      const url = new URL(protocolOrUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    get connections() {
      return pairs.size;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const pair of pairs) {
        const held = pair.held.splice(0);
        for (const { to, chunk } of held) forward(pair, to, chunk);
        if (pair.upstream.destroyed || pair.client.destroyed) {
          pairs.delete(pair);
          pair.client.destroy();
          pair.upstream.destroy();
        }
      }
    },
    killConnections() {
      for (const pair of pairs) {
        pair.client.resetAndDestroy();
        pair.upstream.resetAndDestroy();
      }
      pairs.clear();
    },
    async setDown(isDown) {
      if (isDown === down) return;
      down = isDown;
      if (isDown) {
        server.close();
        return;
      }
      server = net.createServer({ allowHalfOpen: true }, onConnection);
      await listen(server, port);
    },
    close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      return new Promise<void>((resolve) => {
        if (!server.listening) resolve();
        else server.close(() => resolve());
      });
    },
  };
}
