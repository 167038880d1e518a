// The built API as the scale bench runs it: one process per database, signed initData for its callers, and a
// timed GET. With `explain`, every statement the API runs is EXPLAIN ANALYZEd by auto_explain and its plan
// captured by notice-hook.cjs into `noticeFile`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { root } from './generate.mjs';

/** Apps and packages by their package names, as the root package depends on them. */
const requireRoot = createRequire(path.join(root, 'package.json'));
const { signInitDataFields } = requireRoot('@tikethet/auth');
const { freePort } = requireRoot('@tikethet/testkit');

export const TOKEN = `123456789:${randomBytes(27).toString('base64url').slice(0, 35)}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether the built API knows DATABASE_STATEMENT_TIMEOUT_MS (issue #14); if not, the bench sets one itself. */
export function apiHasStatementTimeout() {
  const dirs = ['packages/config/dist', 'packages/db/dist', 'apps/api/dist'].map((d) => path.join(root, d));
  const walk = (dir) =>
    fs.existsSync(dir)
      ? fs.readdirSync(dir, { withFileTypes: true }).some((e) => {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) return walk(p);
          return (
            e.name.endsWith('.js') && fs.readFileSync(p, 'utf8').includes('DATABASE_STATEMENT_TIMEOUT_MS')
          );
        })
      : false;
  return dirs.some(walk);
}

/** A session's settings for auto_explain: every statement's plan with timings and buffers, sent as a NOTICE. */
export const EXPLAIN_OPTIONS = [
  'session_preload_libraries=auto_explain',
  'auto_explain.log_min_duration=0',
  'auto_explain.log_analyze=on',
  'auto_explain.log_buffers=on',
  'auto_explain.log_timing=on',
  'auto_explain.log_level=notice',
]
  .map((o) => `-c ${o}`)
  .join(' ');

/** Starts apps/api/dist on `url`; resolves when /readyz answers. */
export async function startApi(url, { label, statementTimeoutMs = null, explain = null } = {}) {
  const port = await freePort();
  const pgOptions = [
    ...(statementTimeoutMs ? [`-c statement_timeout=${statementTimeoutMs}`] : []),
    ...(explain ? [EXPLAIN_OPTIONS] : []),
  ].join(' ');
  const child = spawn(
    process.execPath,
    [
      ...(explain ? ['--require', path.join(root, 'bench/scale/notice-hook.cjs')] : []),
      requireRoot.resolve('@tikethet/api'),
    ],
    {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: url,
        DATABASE_POOL_SIZE: '10',
        NODE_ENV: 'production',
        REDIS_URL,
        TELEGRAM_BOT_TOKEN: TOKEN,
        API_PORT: String(port),
        RATE_LIMIT_PER_MIN: '0',
        LOG_LEVEL: 'warn',
        ...(pgOptions ? { PGOPTIONS: pgOptions } : {}),
        ...(explain ? { SCALE_NOTICE_FILE: explain.noticeFile, SCALE_ROOT: root } : {}),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr.on('data', (c) => {
    err = (err + c).slice(-3000);
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`api (${label}) exited: ${err}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`api (${label}) not ready: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    label,
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}

/** initData for a user as Telegram signs it (the API checks it against TOKEN). */
export function initDataFor(user) {
  return signInitDataFields(
    {
      auth_date: String(Math.floor(Date.now() / 1000)),
      user: JSON.stringify({
        id: user.id,
        first_name: user.first_name,
        ...(user.username ? { username: user.username } : {}),
        language_code: user.language_code ?? 'ru',
      }),
    },
    TOKEN,
  );
}

/** One GET, timed to the end of its body. */
export async function timedGet(base, pathAndQuery, initData, timeoutMs = 120_000) {
  const t0 = performance.now();
  try {
    const res = await fetch(`${base}${pathAndQuery}`, {
      headers: { authorization: `tma ${initData}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { ms: performance.now() - t0, status: res.status, text };
  } catch (error) {
    return { ms: performance.now() - t0, status: 0, text: String(error) };
  }
}
