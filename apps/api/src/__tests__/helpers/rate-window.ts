/** Rate limits count in fixed one-minute windows: start a burst early in a window so it cannot straddle two. */
export async function freshWindow(): Promise<void> {
  const into = Date.now() % 60_000;
  if (into > 50_000) await new Promise((r) => setTimeout(r, 60_000 - into + 50));
}
