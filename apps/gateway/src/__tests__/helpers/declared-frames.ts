import { undeclared } from './test-client';

// Every frame and close code the gateway sent to a test client is one @tikethet/protocol declares.
afterAll(() => {
  expect(undeclared).toEqual([]);
});
