// The jest preset for packages whose tests talk to PostgreSQL and Redis: testkit's global setup finds the
// real services (or starts an embedded Postgres when none answers) and prints which backend it used.
const path = require('node:path');

module.exports = {
  ...require('./jest.preset.cjs'),
  globalSetup: path.join(__dirname, 'packages/testkit/jest-global-setup.cjs'),
  globalTeardown: path.join(__dirname, 'packages/testkit/jest-global-teardown.cjs'),
};
