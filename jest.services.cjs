// The jest preset for packages whose tests talk to PostgreSQL and Redis: testkit's global setup finds the
// real services (or starts an embedded Postgres when none answers) and prints which backend it used.
const path = require('node:path');

module.exports = {
  ...require('./jest.preset.cjs'),
  globalSetup: path.join(__dirname, 'packages/testkit/jest-global-setup.cjs'),
  globalTeardown: path.join(__dirname, 'packages/testkit/jest-global-teardown.cjs'),
  // Node 20 can spin at 100% CPU in its exit-time handle cleanup (FreeEnvironment -> CleanupHandles) after
  // tests that reset sockets through testkit's TCP proxy; seen in gdb, 3 runs in 5. Every test has already
  // passed or failed by then, so exit explicitly rather than hang CI. (Open-handle hunting: --detectOpenHandles.)
  forceExit: true,
};
