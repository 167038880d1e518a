import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from '@tikethet/testkit';

/** A child process of the stack, with the tail of its output kept for error messages. */
export interface Child {
  name: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const KEEP = 64 * 1024;

/** Starts `node <script>` with exactly `env` (plus PATH/HOME), capturing stdout and stderr. */
export function startNode(name: string, args: string[], env: Record<string, string>, cwd: string): Child {
  const proc = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-KEEP);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return {
    name,
    proc,
    output: () => log,
    stop: () => stopChild(proc),
  };
}

/** SIGTERM, then SIGKILL if the process is still there after 5 s. */
export function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/** Waits until `url` answers 200, failing early (with the child's output) if the child exits. */
export async function waitReady(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  try {
    await waitFor(
      async () => {
        if (child.proc.exitCode !== null) throw new Error(`${child.name} exited with ${child.proc.exitCode}`);
        const res = await fetch(url).catch(() => null);
        return res?.status === 200;
      },
      { timeoutMs, intervalMs: 100, description: `${child.name} ready at ${url}` },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- ${child.name} output ---\n${child.output()}`);
  }
}
