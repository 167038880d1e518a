/**
 * Runs `task` every `intervalMs`, never two at once (a slow run makes the next tick skip); failures go to
 * `onError`. The timer does not keep the process alive. Returns the stop function.
 */
export function every(
  intervalMs: number,
  task: () => Promise<void>,
  onError: (err: unknown) => void,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
