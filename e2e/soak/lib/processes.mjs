// App processes of the soak: spawned with an explicit environment, restartable, always killed on exit.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ROOT } from './modules.mjs';

const KEEP = 32 * 1024;
const live = new Set();

/** SIGKILLs every child still running (exit hook, SIGINT, hard timeout). */
export function killAllChildren() {
  for (const proc of live) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** RSS of a process in kB from /proc/<pid>/status, or null when it is gone. */
export function rssKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * One app (`node <script>`), restartable on the same port. Each start is an instance with its own pid,
 * so memory is judged per instance.
 */
export function createApp(name, script, env, readyUrl) {
  let proc;
  let output = '';
  const instances = [];
  let exitsUnexpected = 0;
  let stopping = false;

  function launch() {
    output = '';
    const child = spawn(process.execPath, [script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk) => {
      output = (output + chunk.toString('utf8')).slice(-KEEP);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    live.add(child);
    const instance = { pid: child.pid, startedAt: Date.now(), samples: [], killed: false };
    instances.push(instance);
    child.once('exit', (code, signal) => {
      live.delete(child);
      instance.exit = { code, signal };
      if (!instance.killed && !stopping) {
        exitsUnexpected += 1;
        process.stderr.write(`[soak] ${name} (pid ${child.pid}) exited unexpectedly: ${code ?? signal}\n`);
        process.stderr.write(`--- ${name} output ---\n${output.slice(-4000)}\n`);
      }
    });
    proc = child;
  }

  async function waitReady(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) break;
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) }).catch(() => null);
      if (res?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${name} not ready at ${readyUrl}\n--- ${name} output ---\n${output}`);
  }

  function exited() {
    if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => proc.once('exit', () => resolve()));
  }

  return {
    name,
    instances,
    get pid() {
      return proc?.pid;
    },
    get unexpectedExits() {
      return exitsUnexpected;
    },
    output: () => output,
    async start() {
      launch();
      await waitReady();
    },
    /** SIGKILL (a crash), resolves once gone. */
    async kill() {
      const instance = instances.at(-1);
      if (instance) instance.killed = true;
      proc.kill('SIGKILL');
      await exited();
    },
    async restart() {
      launch();
      await waitReady();
    },
    /** SIGTERM, SIGKILL after 5 s. */
    async stop() {
      stopping = true;
      const instance = instances.at(-1);
      if (instance) instance.killed = true;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.kill('SIGTERM');
      await exited();
      clearTimeout(timer);
    },
    sample() {
      const instance = instances.at(-1);
      if (!instance || instance.exit) return;
      const kb = rssKb(instance.pid);
      if (kb !== null) instance.samples.push({ at: Date.now(), kb });
    },
  };
}
