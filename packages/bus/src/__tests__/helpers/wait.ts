import type { Logger } from '@tikethet/config';
import type { BusMessage } from '@tikethet/domain';
import { pino } from 'pino';
import type { Bus } from '../../contract';

export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Records every status change of a bus. */
export function recordStatus(bus: Bus): Array<'up' | 'down'> {
  const seen: Array<'up' | 'down'> = [];
  bus.onStatus((status) => seen.push(status));
  return seen;
}

/** Subscribes a handler that collects what it receives. */
export function collect(bus: Bus): { received: BusMessage[]; off: () => void } {
  const received: BusMessage[] = [];
  const off = bus.subscribe((message) => received.push(message));
  return { received, off };
}

/** A real pino logger that keeps what it writes (children included) instead of printing it. */
export function captureLogger(): { logger: Logger; lines: () => Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        lines.push(JSON.parse(line));
      },
    },
  );
  return { logger, lines: () => lines };
}
