// Reference for the fanout benchmark: a bare ws server that subscribes to one Redis channel and
// broadcasts every message, as is, to every connected socket. No auth, no routing, no permissions.
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const gatewayRequire = createRequire(path.join(root, 'apps/gateway/package.json'));
const busRequire = createRequire(gatewayRequire.resolve('@tikethet/bus'));
const { WebSocketServer } = gatewayRequire('ws');
const { Redis } = busRequire('ioredis');

const port = Number(process.env.PORT);
const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false });
const listening = new Promise((resolve) => wss.once('listening', resolve));
const sub = new Redis(process.env.REDIS_URL);
await sub.subscribe(process.env.CHANNEL ?? 'bare');
sub.on('message', (_channel, raw) => {
  const frame = Buffer.from(raw);
  for (const socket of wss.clients) socket.send(frame, { binary: false });
});
await listening;
process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
