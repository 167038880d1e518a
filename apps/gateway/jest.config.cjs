module.exports = { ...require('../../jest.preset.cjs'), maxWorkers: 2 };
