module.exports = {
  ...require('../../jest.preset.cjs'),
  globalSetup: require.resolve('./jest-global-setup.cjs'),
  globalTeardown: require.resolve('./jest-global-teardown.cjs'),
  // See jest.services.cjs: Node's exit-time handle cleanup can spin after socket resets.
  forceExit: true,
};
