import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppName } from './repo';
import { ROOT } from './repo';
import { run, runOk } from './run';

export interface PrunedApp {
  /** `turbo prune` output, installed and built: what a platform builds from (`pnpm --filter ... start`). */
  repoDir: string;
  /** The app's folder inside repoDir. */
  appDir: string;
  /** `pnpm deploy --prod` of the app: what the runtime stage of its Dockerfile holds in /app. */
  deployDir: string;
  timings: Record<string, number>;
  cleanup(): void;
}

const TURBO = path.join(ROOT, 'node_modules', '.bin', 'turbo');
const PM = ['--pm-on-fail=ignore'];

/** Runs with `--offline` first (the store is warm), online if that fails. */
async function offlineFirst(args: string[], cwd: string) {
  const offline = await run('pnpm', [...args, '--offline', ...PM], cwd);
  if (offline.code === 0) return;
  await runOk('pnpm', [...args, ...PM], cwd);
}

/**
 * The same steps as deployment/docker/<app>.Dockerfile, on this machine: prune the monorepo to the app, add
 * the shared TypeScript base config, install from the pruned lockfile, build the app and its packages, then
 * `pnpm deploy --prod` it into a folder of its own.
 */
export async function prepareApp(app: AppName): Promise<PrunedApp> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), `tikethet-deploy-${app}-`));
  const repoDir = path.join(base, 'repo');
  const deployDir = path.join(base, 'deploy');
  const timings: Record<string, number> = {};
  const step = async (name: string, fn: () => Promise<unknown>) => {
    const start = Date.now();
    await fn();
    timings[name] = Date.now() - start;
  };
  try {
    await step('prune', () => runOk(TURBO, ['prune', `@tikethet/${app}`, '--out-dir', repoDir], ROOT));
    fs.copyFileSync(path.join(ROOT, 'tsconfig.base.json'), path.join(repoDir, 'tsconfig.base.json'));
    await step('install', () => offlineFirst(['install', '--frozen-lockfile'], repoDir));
    await step('build', () => runOk('pnpm', ['turbo', 'run', 'build', `--filter=@tikethet/${app}`], repoDir));
    await step('deploy', async () => {
      await offlineFirst(['--filter', `@tikethet/${app}`, 'deploy', '--prod', deployDir], repoDir);
      // As the Dockerfile does: pnpm deploy leaves out what the app's .gitignore lists (dist, dist-server).
      const appDir = path.join(repoDir, 'apps', app);
      for (const entry of fs.readdirSync(appDir).filter((name) => name.startsWith('dist'))) {
        fs.cpSync(path.join(appDir, entry), path.join(deployDir, entry), { recursive: true });
      }
    });
  } catch (error) {
    fs.rmSync(base, { recursive: true, force: true });
    throw error;
  }
  process.stdout.write(`[deployment] ${app}: ${JSON.stringify(timings)} ms\n`);
  return {
    repoDir,
    appDir: path.join(repoDir, 'apps', app),
    deployDir,
    timings,
    cleanup: () => fs.rmSync(base, { recursive: true, force: true }),
  };
}
