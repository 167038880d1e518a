module.exports = { ...require('../jest.services.cjs'), testTimeout: 120000 };
