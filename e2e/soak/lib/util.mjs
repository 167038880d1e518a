import { randomBytes } from 'node:crypto';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function between(min, max) {
  return min + Math.random() * (max - min);
}

export function pick(items) {
  return items[Math.floor(Math.random() * items.length)];
}

/** A short unique token to find a text again (in Postgres or in the Bot API's recorded sends). */
export function nonce(prefix) {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

/**
 * Runs `step` after each random pause until `running()` turns false; the promise of the step under way is
 * kept, so stopping can wait for it.
 */
export function loop(running, pauseMs, step, inflight) {
  return (async () => {
    while (running()) {
      await sleep(pauseMs());
      if (!running()) return;
      const task = step().catch((error) => {
        process.stderr.write(`[soak] step failed: ${error?.stack ?? error}\n`);
      });
      inflight.add(task);
      await task;
      inflight.delete(task);
    }
  })();
}
