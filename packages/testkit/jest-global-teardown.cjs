// jest globalTeardown pairing jest-global-setup.cjs: stops the embedded Postgres, if one was started.
const path = require('node:path');

module.exports = async function testkitGlobalTeardown() {
  const built = require(path.join(__dirname, 'dist', 'global-teardown.js'));
  await built.globalTeardown();
};
