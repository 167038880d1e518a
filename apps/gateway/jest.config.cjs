module.exports = {
  ...require('../../jest.services.cjs'),
  maxWorkers: 2,
  // Each test file also checks that the frames and close codes its clients received are declared.
  setupFilesAfterEnv: ['<rootDir>/src/__tests__/helpers/declared-frames.ts'],
};
