import { clientAddress } from './client-address';

function req(remoteAddress: string | undefined, forwardedFor?: string | string[]) {
  return {
    socket: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as Parameters<typeof clientAddress>[0];
}

it('uses the socket address with no trusted proxy, whatever X-Forwarded-For says', () => {
  expect(clientAddress(req('203.0.113.5', '1.2.3.4'), 0)).toBe('203.0.113.5');
  expect(clientAddress(req('::ffff:203.0.113.5'), 0)).toBe('203.0.113.5');
});

it('takes the entry the trusted proxies appended, never one the client wrote', () => {
  // One proxy (the Mini App server, a platform balancer) appends the address it saw.
  expect(clientAddress(req('10.0.0.2', '198.51.100.9'), 1)).toBe('198.51.100.9');
  expect(clientAddress(req('10.0.0.2', 'forged, 198.51.100.9'), 1)).toBe('198.51.100.9');
  // Two proxies: a tunnel, then the Mini App server.
  expect(clientAddress(req('127.0.0.1', 'forged, 198.51.100.9, 127.0.0.1'), 2)).toBe('198.51.100.9');
  expect(clientAddress(req('10.0.0.2', ['forged', '198.51.100.9']), 1)).toBe('198.51.100.9');
});

it('falls back to the leftmost address when fewer proxies answered than trusted', () => {
  expect(clientAddress(req('10.0.0.2'), 1)).toBe('10.0.0.2');
  expect(clientAddress(req('10.0.0.2', '198.51.100.9'), 3)).toBe('198.51.100.9');
  expect(clientAddress(req(undefined), 0)).toBe('unknown');
});

it('bounds the key length', () => {
  expect(clientAddress(req('10.0.0.2', 'x'.repeat(500)), 1)).toHaveLength(64);
});
