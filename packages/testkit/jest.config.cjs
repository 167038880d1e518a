module.exports = {
  ...require('../../jest.preset.cjs'),
  globalSetup: require.resolve('./jest-global-setup.cjs'),
  globalTeardown: require.resolve('./jest-global-teardown.cjs'),
};
