// Preloaded into the measured server (node --expose-gc -r): on SIGUSR2 it collects garbage and prints its RSS.
process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  process.stdout.write(`rss ${process.memoryUsage().rss}\n`);
});
