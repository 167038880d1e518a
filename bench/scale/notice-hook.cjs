// Preloaded into the API (`node --require`) by the scale bench's plan pass: every pg client of the process
// appends the NOTICEs it receives (auto_explain's plans, sent at log_level=notice) to SCALE_NOTICE_FILE, one
// JSON line each with the time it arrived. The API itself ignores notices.
const fs = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');

const file = process.env.SCALE_NOTICE_FILE;
const pg = createRequire(path.join(process.env.SCALE_ROOT, 'packages/db/package.json'))('pg');
const connect = pg.Client.prototype.connect;
pg.Client.prototype.connect = function connectWithNotices(...args) {
  this.on('notice', (notice) => {
    fs.appendFileSync(file, `${JSON.stringify({ at: Date.now(), text: notice.message })}\n`);
  });
  return connect.apply(this, args);
};
