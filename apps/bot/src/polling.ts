import type { Logger } from '@tikethet/config';
import type { Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';

export interface Poller {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Long polling with at-least-once processing: the offset moves past an update only after it was processed or
 * kept as a dead letter (`processUpdate` throws only for a transient failure, such as an unreachable database,
 * and then the same update is retried), and the update_id claim makes re-processing harmless.
 */
export function createPoller(deps: {
  telegram: Telegram;
  processUpdate: (update: Update) => Promise<unknown>;
  logger: Logger;
  timeoutS: number;
}): Poller {
  const { telegram, processUpdate, logger, timeoutS } = deps;
  const abort = new AbortController();
  let offset = 0;
  let loop: Promise<void> | undefined;
  const call = telegram.callApi.bind(telegram) as unknown as (
    method: string,
    payload: Record<string, unknown>,
    options: { signal: AbortSignal },
  ) => Promise<Update[]>;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        abort.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      abort.signal.addEventListener('abort', done);
    });

  async function run() {
    let failures = 0;
    while (!abort.signal.aborted) {
      let updates: Update[];
      try {
        updates = await call(
          'getUpdates',
          { offset, timeout: timeoutS, allowed_updates: ['message', 'edited_message', 'callback_query'] },
          { signal: abort.signal },
        );
        failures = 0;
      } catch (error) {
        if (abort.signal.aborted) break;
        failures += 1;
        logger.warn({ err: error instanceof Error ? error.message : error }, 'getUpdates failed; retrying');
        await pause(Math.min(10_000, 250 * 2 ** failures));
        continue;
      }
      for (const update of updates) {
        for (let attempt = 0; !abort.signal.aborted; attempt += 1) {
          try {
            await processUpdate(update);
            offset = update.update_id + 1;
            break;
          } catch (error) {
            logger.error({ err: error, updateId: update.update_id }, 'update failed transiently; retrying');
            await pause(Math.min(10_000, 250 * 2 ** attempt));
          }
        }
        if (abort.signal.aborted) break;
      }
    }
  }

  return {
    start() {
      loop = run();
    },
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
