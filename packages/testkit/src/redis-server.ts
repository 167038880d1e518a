import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { freePort } from './services';

/** A private, throw-away redis-server for fault tests (never the shared one at 127.0.0.1:6379). */
export interface RedisServerHandle {
  readonly url: string;
  readonly port: number;
  /** SIGSTOP: the socket stays open but nothing answers. */
  freeze(): void;
  /** SIGCONT after `freeze()`. */
  thaw(): void;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Kills if still running, then starts again on the same port and waits for PING. */
  restart(): Promise<void>;
  /** Kills for good. */
  stop(): Promise<void>;
}

export interface StartRedisServerOptions {
  /** Default: a free loopback port. */
  port?: number;
  /** How long to wait for PONG. Default 10000. */
  readyTimeoutMs?: number;
  /** Defaults to `redis-server` on PATH. */
  binary?: string;
  /** More `redis-server` arguments (cluster mode, for one). */
  extraArgs?: string[];
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** Resolves true when the server at port answers PING with PONG. */
export function pingRedisPort(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitForPong(child: ChildProcess, port: number, timeoutMs: number, log: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server on port ${port} exited early: ${log()}`);
    }
    if (await pingRedisPort(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms: ${log()}`);
}

export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServerHandle> {
  const port = options.port ?? (await freePort());
  if (port === 6379) throw new Error('refusing to manage the shared Redis on port 6379');
  const binary = options.binary ?? 'redis-server';
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  installExitHook();
  let child: ChildProcess | undefined;
  let output = '';

  async function launch(): Promise<void> {
    output = '';
    const args = [
      ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      ...(options.extraArgs ?? []),
    ];
    const started = spawn(binary, args, { cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    running.add(started);
    started.once('exit', () => running.delete(started));
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-2000);
    };
    started.stdout?.on('data', collect);
    started.stderr?.on('data', collect);
    await new Promise<void>((resolve, reject) => {
      started.once('spawn', () => resolve());
      started.once('error', reject);
    });
    await waitForPong(started, port, readyTimeoutMs, () => output);
  }

  function signal(sig: NodeJS.Signals): void {
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server on port ${port} is not running`);
    }
    child.kill(sig);
  }

  async function kill(): Promise<void> {
    const current = child;
    if (!current) return;
    current.kill('SIGKILL');
    await exited(current);
  }

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    kill,
    async restart() {
      await kill();
      await launch();
    },
    stop: kill,
  };
}
