// Reference for the idle benchmark: a bare ws server holding sockets (no hello, no state).
const path = require('node:path');
const { createRequire } = require('node:module');
const { WebSocketServer } = createRequire(path.resolve(__dirname, '../../apps/gateway/package.json'))('ws');
const wss = new WebSocketServer({
  port: Number(process.env.PORT),
  host: '127.0.0.1',
  perMessageDeflate: false,
});
wss.on('listening', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
