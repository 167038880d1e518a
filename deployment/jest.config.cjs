// The deploy tests prune, install and build every app on their own: slow by design, so generous timeouts.
module.exports = { ...require('../jest.services.cjs'), testTimeout: 240000 };
