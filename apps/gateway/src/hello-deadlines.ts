/**
 * Deadlines with one fixed timeout for many items, on one timer: items are kept in insertion order (which is
 * deadline order, as every item gets the same timeout) and the timer is armed for the oldest one only.
 * The gateway uses it for "hello within 5 s" instead of a timer and a closure per socket.
 */
export function createHelloDeadlines<T>(timeoutMs: number, onExpired: (item: T) => void) {
  const since = new Map<T, number>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function arm(): void {
    if (timer || stopped) return;
    const first = since.values().next();
    if (first.done) return;
    timer = setTimeout(fire, Math.max(0, first.value + timeoutMs - Date.now()));
    timer.unref();
  }

  function fire(): void {
    timer = undefined;
    const now = Date.now();
    for (const [item, at] of since) {
      if (at + timeoutMs > now) break;
      since.delete(item);
      onExpired(item);
    }
    arm();
  }

  return {
    add(item: T): void {
      since.delete(item);
      since.set(item, Date.now());
      arm();
    },
    delete(item: T): void {
      since.delete(item);
    },
    get size(): number {
      return since.size;
    },
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      since.clear();
    },
  };
}

export type HelloDeadlines<T> = ReturnType<typeof createHelloDeadlines<T>>;
