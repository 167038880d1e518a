// One jest preset for every package: TypeScript through SWC, internal packages mapped to their sources
// so tests never depend on a stale build.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', tsx: true },
          target: 'es2022',
          transform: { react: { runtime: 'automatic' } },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: {
    '^@tikethet/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    '^@tikethet/([a-z-]+)/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/$2/index.ts'),
  },
  testMatch: ['**/src/**/*.test.ts', '**/src/**/*.test.tsx', '**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 30000,
};
