// The faults of the run, at fixed fractions of its duration.
import { pg } from './modules.mjs';
import { sleep } from './util.mjs';

/** Terminates every backend of the soak database but this one's; returns how many went. */
export async function terminateBackends(database) {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const res = await client.query(
      'select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database.name],
    );
    return res.rows.filter((row) => row.ok).length;
  } finally {
    await client.end();
  }
}

/** Runs the fault plan; each entry logs what it did and when (seconds into the load). */
export function planFaults(stack, durationMs, startedAt, running, log) {
  const at = (fraction) => startedAt + durationMs * fraction;
  const note = (what) => {
    const line = `${((Date.now() - startedAt) / 1000).toFixed(1)}s ${what}`;
    log.push(line);
    process.stdout.write(`[soak] fault: ${line}\n`);
  };
  const until = async (when) => {
    while (Date.now() < when) {
      if (!running()) return false;
      await sleep(Math.min(250, when - Date.now()));
    }
    return running();
  };
  const freezeMs = Math.min(5000, durationMs * 0.08);
  return (async () => {
    if (!(await until(at(0.2)))) return;
    stack.redis.freeze();
    note(`redis frozen (SIGSTOP) for ${(freezeMs / 1000).toFixed(1)} s`);
    await sleep(freezeMs);
    stack.redis.thaw();
    note('redis thawed (SIGCONT)');

    if (!(await until(at(0.4)))) return;
    await stack.redis.kill();
    note('redis killed (SIGKILL)');
    await sleep(2000);
    await stack.redis.restart();
    note('redis restarted (empty)');

    if (!(await until(at(0.6)))) return;
    const gateway = stack.gateways[0];
    await gateway.kill();
    note(`${gateway.name} killed (SIGKILL)`);
    await sleep(2000);
    await gateway.restart();
    note(`${gateway.name} restarted and ready`);

    if (!(await until(at(0.75)))) return;
    note(`pg_terminate_backend: ${await terminateBackends(stack.database)} backends terminated`);
    if (!(await until(at(0.85)))) return;
    note(`pg_terminate_backend: ${await terminateBackends(stack.database)} backends terminated`);
  })();
}
