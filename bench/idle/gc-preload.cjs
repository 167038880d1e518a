// Preloaded into the measured server (node --expose-gc -r): on SIGUSR2 it collects garbage and prints its RSS,
// preceded by a `mem` line splitting it (live JS heap, resident V8 heap, resident young generation).
// IDLE_DIAG=1 also prints memoryUsage and every heap space to stderr; IDLE_DIAG=smaps adds resident memory by
// mapping, IDLE_DIAG=snapshot writes a heap snapshot (in the current directory).
const v8 = require('node:v8');

/** Resident KiB by kind of mapping: files, malloc's main heap, other anonymous memory (mostly V8 pages). */
function residentByMapping() {
  const sums = {};
  const mappings = require('node:fs')
    .readFileSync('/proc/self/smaps', 'utf8')
    .split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
  for (const mapping of mappings) {
    const name = mapping.split('\n')[0].trim().split(/\s+/)[5] ?? 'anonymous';
    const kind = name.startsWith('/') ? 'file' : name;
    sums[kind] = (sums[kind] ?? 0) + Number(/\nRss:\s+(\d+)/.exec(mapping)?.[1] ?? 0);
  }
  return sums;
}

process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  const usage = process.memoryUsage();
  const spaces = v8.getHeapSpaceStatistics();
  const heapPhysical = spaces.reduce((sum, space) => sum + space.physical_space_size, 0);
  const newSpace = spaces.find((space) => space.space_name === 'new_space')?.physical_space_size ?? 0;
  if (process.env.IDLE_DIAG) {
    const bySpace = Object.fromEntries(
      spaces.map((s) => [s.space_name, [s.space_size, s.physical_space_size, s.space_used_size]]),
    );
    process.stderr.write(`[${process.pid}] ${JSON.stringify({ ...usage, heapPhysical, spaces: bySpace })}\n`);
    if (process.env.IDLE_DIAG === 'smaps') {
      process.stderr.write(`[${process.pid}] smaps ${JSON.stringify(residentByMapping())}\n`);
    }
    if (process.env.IDLE_DIAG === 'snapshot') {
      process.stderr.write(`[${process.pid}] snapshot ${v8.writeHeapSnapshot()}\n`);
    }
  }
  process.stdout.write(`mem ${JSON.stringify({ heapUsed: usage.heapUsed, heapPhysical, newSpace })}\n`);
  process.stdout.write(`rss ${usage.rss}\n`);
});
