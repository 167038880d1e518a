// The scenarios `pnpm bench` runs, in order: each is its own script under bench/<name>/ that measures the
// system beside its reference in the same run (alternating, 3 rounds) and writes bench/<name>/results.json.

/** `quick` adds --quick; `browser` scenarios need Chromium and are reused from their last run in quick mode. */
export const scenarios = [
  { name: 'api-read', command: ['node', 'bench/api-read/run.mjs'], section: 'api-read' },
  { name: 'bot-inbound', command: ['node', 'bench/bot-inbound/run.cjs'], section: 'bot-inbound' },
  { name: 'fanout', command: ['node', 'bench/fanout/run.mjs'], section: 'bench:fanout' },
  { name: 'e2e', command: ['node', 'bench/e2e/run.mjs'], section: 'bench:e2e' },
  { name: 'idle', command: ['node', 'bench/idle/run.mjs'], section: 'bench:idle' },
  {
    name: 'miniapp-server',
    command: ['node', 'bench/miniapp-server/run.mjs'],
    section: 'bench:miniapp-server',
  },
  // 10k and 1M tickets (--quick: 100k; SCALE_TICKETS=<n>); generates its databases on first use (minutes).
  { name: 'scale', command: ['node', 'bench/scale/run.mjs'], section: 'bench:scale' },
  {
    name: 'miniapp-budget',
    // The budget is measured by the browser test (built Mini App in Chromium against the real stack).
    command: [
      'pnpm',
      '--filter',
      '@tikethet/e2e',
      'exec',
      'jest',
      '--runInBand',
      'src/browser/budget.test.ts',
    ],
    section: 'miniapp-budget',
    browser: true,
    noQuickFlag: true,
  },
];
