// jest globalSetup for any package: `globalSetup: require.resolve('@tikethet/testkit/jest-global-setup.cjs')`
// or a relative path. Runs the built testkit (plain Node, so PGlite's ESM loads).
const path = require('node:path');

module.exports = async function testkitGlobalSetup() {
  let built;
  try {
    built = require(path.join(__dirname, 'dist', 'global-setup.js'));
  } catch (error) {
    throw new Error(
      `@tikethet/testkit is not built (run: pnpm --filter @tikethet/testkit build): ${error.message}`,
    );
  }
  await built.globalSetup();
};
