import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, TEST_BOT_TOKEN, waitFor } from '@tikethet/testkit';

export interface ChildGateway {
  child: ChildProcess;
  url: string;
  httpUrl: string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string | null>;
  output(): string;
}

const entry = path.resolve(__dirname, '../../../dist/index.js');

/** The built gateway (`node apps/gateway/dist/index.js`) as a real child process; `build` runs before tests. */
export async function spawnGateway(env: Record<string, string>): Promise<ChildGateway> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH ?? '',
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      GATEWAY_PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  process.once('exit', () => child.kill('SIGKILL'));
  const httpUrl = `http://127.0.0.1:${port}`;
  const failed = exited.then((code) => {
    throw new Error(`gateway exited (${String(code)}): ${output}`);
  });
  await Promise.race([
    waitFor(async () => child.exitCode === null && (await fetch(`${httpUrl}/readyz`)).status === 200, {
      timeoutMs: 15_000,
      description: 'child gateway ready',
    }),
    failed,
  ]);
  failed.catch(() => undefined);
  return { child, url: `ws://127.0.0.1:${port}/ws`, httpUrl, exited, output: () => output };
}
