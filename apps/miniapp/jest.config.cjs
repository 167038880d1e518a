const preset = require('../../jest.preset.cjs');

// The browser app's tests live in src/, the Node server's beside it in server/.
module.exports = { ...preset, testMatch: [...preset.testMatch, '**/server/**/*.test.ts'] };
