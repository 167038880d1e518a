// Reference for the idle benchmark: a bare ws server holding sockets (no hello, no state). With PING_MS it keeps
// them alive the usual ws way (ping every PING_MS, terminate what did not pong), as the gateway must.
const path = require('node:path');
const { createRequire } = require('node:module');
const { WebSocketServer } = createRequire(path.resolve(__dirname, '../../apps/gateway/package.json'))('ws');
const wss = new WebSocketServer({
  port: Number(process.env.PORT),
  host: '127.0.0.1',
  perMessageDeflate: false,
});
wss.on('listening', () => process.stdout.write('ready\n'));
const pingMs = Number(process.env.PING_MS ?? 0);
if (pingMs > 0) {
  const alive = new WeakSet();
  const markAlive = function markAlive() {
    alive.add(this);
  };
  wss.on('connection', (ws) => {
    alive.add(ws);
    ws.on('pong', markAlive);
  });
  setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, pingMs).unref();
}
process.on('SIGTERM', () => process.exit(0));
