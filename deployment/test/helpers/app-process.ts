import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from '@tikethet/testkit';
import { QUIET_PNPM } from './run';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcess {
  child: ChildProcess;
  origin: string;
  output(): string;
  exited: Promise<Exit>;
  /** Sends a signal to the process (or its whole group when started through pnpm). */
  signal(signal: NodeJS.Signals): void;
}

/**
 * Starts a server process configured only by the given environment (plus PATH and HOME), in a process group
 * of its own so a wrapper such as pnpm can be stopped together with the Node process it started.
 */
export function startProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; port: number; group?: boolean },
): AppProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...QUIET_PNPM, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group === true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    origin: `http://127.0.0.1:${options.port}`,
    output: () => output,
    exited,
    signal(signal) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      if (options.group) process.kill(-child.pid, signal);
      else child.kill(signal);
    },
  };
}

/** Waits until `path` answers `status`; fails early with the process output if it exits first. */
export async function waitForStatus(app: AppProcess, path: string, status = 200, timeoutMs = 30_000) {
  let exited = false;
  void app.exited.then(() => {
    exited = true;
  });
  await waitFor(
    async () => {
      if (exited) throw new Error(`process exited before ${path} answered:\n${app.output().slice(-3000)}`);
      const res = await fetch(`${app.origin}${path}`);
      await res.arrayBuffer();
      return res.status === status;
    },
    { timeoutMs, intervalMs: 100, description: `${path} -> ${status}` },
  ).catch((error: unknown) => {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n${app.output().slice(-3000)}`,
    );
  });
}

/** Stops the process with SIGTERM; resolves with its exit and how long it took. */
export async function terminate(app: AppProcess): Promise<Exit & { ms: number }> {
  const start = Date.now();
  app.signal('SIGTERM');
  const exit = await app.exited;
  return { ...exit, ms: Date.now() - start };
}
