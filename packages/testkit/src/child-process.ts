import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from './wait';

export interface ReadyChild {
  child: ChildProcess;
  /** The last 4 KB the process wrote to stdout and stderr. */
  output(): string;
}

/**
 * A built app (`node <entry>`) as a real child process with only `env` (plus PATH), resolved once `readyUrl`
 * answers 200; its output is kept for the error when it never does, and it is killed when the test process
 * exits.
 */
export async function spawnReady(options: {
  entry: string;
  env: Record<string, string>;
  readyUrl: string;
  label: string;
  timeoutMs?: number;
}): Promise<ReadyChild> {
  let output = '';
  const child = spawn(process.execPath, [options.entry], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  process.once('exit', () => child.kill('SIGKILL'));
  await waitFor(
    async () =>
      child.exitCode === null && (await fetch(options.readyUrl).catch(() => undefined))?.status === 200,
    { timeoutMs: options.timeoutMs ?? 20_000, description: `${options.label} ready (${output})` },
  );
  return { child, output: () => output };
}
