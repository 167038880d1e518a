/** A socket whose replays wait for its unsent buffer to drain. */
export interface Draining {
  /** True once the waiting replays may go on (the buffer drained, or the socket closed). */
  readonly drained: boolean;
  wake(): void;
}

/** How often the waiting sockets' buffers are looked at. */
const POLL_MS = 5;

const waiting = new Set<Draining>();
let timer: NodeJS.Timeout | undefined;

function poll(): void {
  for (const item of waiting) {
    if (!item.drained) continue;
    waiting.delete(item);
    item.wake();
  }
  if (waiting.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

/**
 * Wakes `item` once it drained. One timer serves every waiting socket of the process, and none runs while
 * nothing waits: a thousand slow readers cost one check each per tick, not a timer each.
 */
export function watchDrain(item: Draining): void {
  waiting.add(item);
  if (timer) return;
  timer = setInterval(poll, POLL_MS);
  timer.unref();
}
