module.exports = { ...require('../../jest.services.cjs'), maxWorkers: 2 };
