#!/usr/bin/env node
// `pnpm test:soak`: every app as its own process, 200 customers and 20 agents under faults, then every
// client's holdings checked against Postgres. `--quick` runs 60 s; SOAK_SECONDS sets the load time.
import { Agent } from './lib/agents.mjs';
import { BotCustomer, RestCustomer } from './lib/customers.mjs';
import { planFaults } from './lib/faults.mjs';
import { call, httpStats } from './lib/http.mjs';
import { analyseMemory } from './lib/memory.mjs';
import { pg } from './lib/modules.mjs';
import { killAllChildren } from './lib/processes.mjs';
import { loadRecord } from './lib/record.mjs';
import { printFigures, printReport } from './lib/report.mjs';
import { ADMIN_ID, startStack } from './lib/stack.mjs';
import { sleep } from './lib/util.mjs';
import { checkAcknowledged, checkBot, checkSockets, settled } from './lib/verify.mjs';
import { wsStats } from './lib/ws-client.mjs';

const quick = process.argv.includes('--quick');
const seconds = quick ? 60 : Number(process.env.SOAK_SECONDS ?? 300);
if (!Number.isFinite(seconds) || seconds < 20) {
  process.stderr.write('SOAK_SECONDS must be a number of seconds, at least 20\n');
  process.exit(2);
}
const durationMs = seconds * 1000;
const REST_CUSTOMERS = 160;
const BOT_CUSTOMERS = 40;
const AGENTS = 20;
const SETTLE_MS = 90_000;
const HARD_TIMEOUT_MS = durationMs + 5 * 60_000;

const log = (text) => process.stdout.write(`[soak] ${text}\n`);
const cleanup = [];
let cleaning;

/** Stops the clients' sockets, the apps, redis and the fake, and drops the database (bounded). */
function runCleanup() {
  cleaning ??= (async () => {
    for (const step of cleanup.reverse()) {
      await Promise.race([Promise.resolve().then(step), sleep(15_000)]).catch((error) =>
        process.stderr.write(`[soak] cleanup step failed: ${error?.message ?? error}\n`),
      );
    }
  })();
  return cleaning;
}

process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    process.stderr.write(`[soak] ${signal}: stopping everything\n`);
    runCleanup().finally(() => process.exit(130));
  });
}
setTimeout(() => {
  process.stderr.write(`[soak] hard timeout after ${HARD_TIMEOUT_MS / 1000} s\n`);
  runCleanup().finally(() => process.exit(3));
}, HARD_TIMEOUT_MS).unref();

async function makeStaff(apiUrl, agents) {
  const admin = { id: ADMIN_ID, first_name: 'Admin', language_code: 'en' };
  const must = async (user, method, path, body) => {
    const res = await call(apiUrl, user, method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  await must(admin, 'GET', '/me');
  for (const agent of agents) {
    await must(agent.user, 'GET', '/me');
    await must(admin, 'PUT', `/agents/${agent.user.id}`, { role: 'agent' });
  }
}

async function waitInflight(inflight, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (inflight.size > 0 && Date.now() < deadline) {
    await Promise.race([Promise.allSettled([...inflight]), sleep(1000)]);
  }
  return inflight.size;
}

async function main() {
  const startedAll = Date.now();
  log(`starting the stack (load ${seconds} s${quick ? ', quick' : ''})`);
  const stack = await startStack(cleanup);
  log(
    `api ${stack.apiUrl}, gateways ${stack.gatewayUrls.join(' ')}, redis ${stack.redis.url}, db ${stack.database.name}`,
  );

  let running = false;
  let aborted = false;
  cleanup.push(() => {
    aborted = true;
  });
  const inflight = new Set();
  const ctx = {
    apiUrl: stack.apiUrl,
    gatewayUrls: stack.gatewayUrls,
    fake: stack.fake,
    running: () => running,
    aborted: () => aborted,
    rampMs: Math.min(20_000, durationMs * 0.15),
    agentCount: AGENTS,
    inflight,
  };
  const agents = Array.from({ length: AGENTS }, (_, i) => new Agent(i, ctx));
  const restCustomers = Array.from({ length: REST_CUSTOMERS }, (_, i) => new RestCustomer(i, ctx));
  const botCustomers = Array.from({ length: BOT_CUSTOMERS }, (_, i) => new BotCustomer(i, ctx));
  const clients = [...agents, ...restCustomers, ...botCustomers];
  cleanup.push(() => {
    for (const client of clients) client.stop();
  });
  await makeStaff(stack.apiUrl, agents);
  log(`${AGENTS} agents made by the admin`);

  const sampler = setInterval(() => {
    for (const app of stack.apps) app.sample();
  }, 2000);
  cleanup.push(() => clearInterval(sampler));
  for (const app of stack.apps) app.sample();

  running = true;
  const loadStart = Date.now();
  const loops = agents.map((agent) => agent.start(inflight));
  await sleep(1000);
  for (const customer of [...restCustomers, ...botCustomers]) loops.push(customer.start(inflight));
  const faultLog = [];
  const faults = planFaults(stack, durationMs, loadStart, () => running, faultLog);
  const progress = setInterval(() => {
    const held = restCustomers.reduce(
      (n, c) => n + [...c.ws.logs.values()].reduce((m, l) => m + l.counts.size, 0),
      0,
    );
    log(
      `${((Date.now() - loadStart) / 1000).toFixed(0)} s: ${httpStats.calls} http calls, ` +
        `${httpStats.serverErrors.length} 5xx, ${httpStats.networkErrors} network errors, ` +
        `${wsStats.connects} ws connects, customers hold ${held} events, inflight ${inflight.size}`,
    );
  }, 15_000);
  cleanup.push(() => clearInterval(progress));

  await sleep(durationMs);
  running = false;
  const loadEnd = Date.now();
  clearInterval(progress);
  log('load stopped; waiting for writes under way');
  await Promise.race([faults, sleep(30_000)]);
  const left = await waitInflight(inflight, 60_000);
  if (left > 0) log(`${left} writes still under way after 60 s`);
  await Promise.race([Promise.allSettled(loops), sleep(5000)]);

  log('settling: waiting for every client to hold what Postgres holds');
  const pool = new pg.Pool({ connectionString: stack.database.url, max: 2 });
  pool.on('error', () => undefined);
  cleanup.push(() => pool.end());
  const settleStart = Date.now();
  let record;
  let sockets;
  let bot;
  for (;;) {
    record = await loadRecord(pool);
    sockets = checkSockets(record, restCustomers, agents);
    bot = checkBot(record, botCustomers, stack.fake);
    if (settled(sockets, bot) || Date.now() - settleStart > SETTLE_MS) break;
    await sleep(2000);
  }
  const settleS = (Date.now() - settleStart) / 1000;
  // A last look a little later: duplicates that arrive after settling count too.
  await sleep(3000);
  record = await loadRecord(pool);
  sockets = checkSockets(record, restCustomers, agents);
  bot = checkBot(record, botCustomers, stack.fake);
  const acked = checkAcknowledged(record, restCustomers);
  for (const app of stack.apps) app.sample();
  const memory = analyseMemory(stack.apps, loadStart, loadEnd + 1, Math.max(15_000, durationMs * 0.25));
  for (const client of clients) client.stop();

  const agentStats = { claims: 0, claimConflicts: 0, replies: 0, notes: 0, patches: 0, patchConflicts: 0 };
  for (const agent of agents) for (const key of Object.keys(agentStats)) agentStats[key] += agent.stats[key];
  const report = {
    loadStart,
    durationS: (loadEnd - loadStart) / 1000,
    settleS,
    totalS: (Date.now() - startedAll) / 1000,
    actors: { rest: REST_CUSTOMERS, bot: BOT_CUSTOMERS, agents: AGENTS },
    record,
    sockets,
    bot,
    acked,
    http: httpStats,
    ws: wsStats,
    agentStats,
    faults: faultLog,
    memory,
    crashes: stack.apps.reduce((n, app) => n + app.unexpectedExits, 0),
    fakeSends: stack.fake.callsOf('sendMessage').filter((c) => c.ok).length,
  };
  printFigures(report);
  const failed = printReport(report);
  await runCleanup();
  if (failed.length > 0) {
    process.stdout.write(`\nSOAK FAILED: ${failed.join('; ')}\n`);
    return 1;
  }
  process.stdout.write('\nSOAK PASSED\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`[soak] ${error?.stack ?? error}\n`);
    runCleanup().finally(() => process.exit(1));
  },
);
