import type { TestDatabase } from '@tikethet/testkit';
import { createTestDatabase, freePort, TEST_BOT_TOKEN, testRedisUrl } from '@tikethet/testkit';
import { type AppProcess, startProcess, waitForStatus } from './app-process';
import { type PrunedApp, prepareApp } from './pruned-app';
import type { AppName } from './repo';
import { runOk } from './run';

export interface DeployAloneOptions {
  /** The path that answers 200 once the app is ready to serve. */
  readyPath: '/readyz' | '/healthz';
  /** The file the deployed folder runs with `node` (the CMD of the app's Dockerfile). */
  entry: string;
  /**
   * For the apps that read Postgres, Redis and the bot token: a fresh database and those three variables.
   * With `migrate`, `pnpm db:migrate` runs on the database before the tests; without it, a test must.
   */
  backend?: { migrate: boolean };
  /** The variables particular to the app (besides NODE_ENV, LOG_LEVEL, PORT), read each time it starts. */
  env?: () => Record<string, string>;
}

export interface DeployedApp {
  readonly pruned: PrunedApp;
  /** The app's fresh database (backend apps only). */
  readonly database: TestDatabase;
  /** `pnpm --filter @tikethet/<app> start` in the pruned repo, as a platform building from source runs it. */
  startFromRepo(): Promise<AppProcess>;
  /** `node <entry>` in the deployed folder, as the image runs it. */
  startDeployed(): Promise<AppProcess>;
}

function ready<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not set up (its beforeAll failed or has not run)`);
  return value;
}

/**
 * Sets up, in the enclosing describe, what every deploy-alone test needs: the app pruned, installed, built and
 * deployed (prepareApp), its database when it is a backend, and a SIGKILL for every process still running at
 * the end. The processes it starts resolve once `readyPath` answers 200.
 */
export function deployAlone(app: AppName, options: DeployAloneOptions): DeployedApp {
  let pruned: PrunedApp | undefined;
  let database: TestDatabase | undefined;
  const running: AppProcess[] = [];

  const env = (port: number): Record<string, string> => ({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    ...(options.backend && {
      DATABASE_URL: ready(database, 'the database').url,
      REDIS_URL: testRedisUrl(),
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    }),
    ...options.env?.(),
    PORT: String(port),
  });

  /** Runs the command in the pruned repo (in a process group, as pnpm wraps node) or in the deployed folder. */
  const start = async (command: string, args: string[], where: 'repoDir' | 'deployDir') => {
    const port = await freePort();
    const cwd = ready(pruned, `the pruned ${app}`)[where];
    const group = where === 'repoDir';
    const started = startProcess(command, args, { cwd, env: env(port), port, group });
    running.push(started);
    await waitForStatus(started, options.readyPath, 200);
    return started;
  };

  beforeAll(async () => {
    pruned = await prepareApp(app);
    if (!options.backend) return;
    database = await createTestDatabase(`deploy_${app}`);
    if (options.backend.migrate) {
      await runOk('pnpm', ['db:migrate'], pruned.repoDir, { DATABASE_URL: database.url });
    }
  }, 300_000);

  afterAll(async () => {
    for (const started of running) started.signal('SIGKILL');
    await database?.drop();
    pruned?.cleanup();
  });

  return {
    get pruned() {
      return ready(pruned, `the pruned ${app}`);
    },
    get database() {
      return ready(database, 'the database');
    },
    startFromRepo: () => start('pnpm', ['--filter', `@tikethet/${app}`, 'start'], 'repoDir'),
    startDeployed: () => start('node', [options.entry], 'deployDir'),
  };
}
