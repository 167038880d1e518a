import fs from 'node:fs';
import path from 'node:path';
import { execForm, parseDockerfile } from './helpers/dockerfile';
import { appPort } from './helpers/env-names';
import {
  APPS,
  buildClosure,
  exists,
  lockedTurbo,
  pinnedPnpm,
  ROOT,
  readText,
  startFile,
} from './helpers/repo';

describe.each(APPS)('deployment/docker/%s.Dockerfile', (app) => {
  const file = `deployment/docker/${app}.Dockerfile`;
  const steps = () => parseDockerfile(file);
  const runs = () => steps().filter((s) => s.keyword === 'RUN');
  const indexOf = (predicate: (args: string) => boolean, keyword = 'RUN') =>
    steps().findIndex((s) => s.keyword === keyword && predicate(s.args));

  it('exists and is multi-stage: prune, build, runtime', () => {
    expect(exists(file)).toBe(true);
    const names = steps()
      .filter((s) => s.keyword === 'FROM')
      .map((s) => s.stageName);
    expect(names).toEqual(expect.arrayContaining(['prune', 'build', 'runtime']));
    expect(names[names.length - 1]).toBe('runtime');
  });

  it('prunes to its own package with turbo, then installs from the manifests before copying the sources', () => {
    const prune = indexOf((a) => a.includes(`turbo prune @tikethet/${app} --docker`));
    const copyJson = indexOf((a) => a.includes('/out/json/'), 'COPY');
    const install = indexOf((a) => a.includes('pnpm install --frozen-lockfile'));
    const copyFull = indexOf((a) => a.includes('/out/full/'), 'COPY');
    const build = indexOf((a) => a.includes(`pnpm turbo run build --filter=@tikethet/${app}`));
    expect(prune).toBeGreaterThanOrEqual(0);
    expect([prune < copyJson, copyJson < install, install < copyFull, copyFull < build]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(runs().some((s) => s.args.includes(`pnpm --filter @tikethet/${app} deploy --prod`))).toBe(true);
  });

  it('pins pnpm to packageManager and turbo to the lockfile', () => {
    const args = steps().filter((s) => s.keyword === 'ARG');
    expect(args.map((s) => s.args)).toEqual(
      expect.arrayContaining([`PNPM_VERSION=${pinnedPnpm()}`, `TURBO_VERSION=${lockedTurbo()}`]),
    );
  });

  it('copies the root files the pruned packages extend (turbo prune leaves them out)', () => {
    const extended = new Set<string>();
    for (const dir of buildClosure(app)) {
      for (const config of fs.readdirSync(path.join(ROOT, dir)).filter((f) => /^tsconfig.*\.json$/.test(f))) {
        for (const match of readText(`${dir}/${config}`).matchAll(/"extends":\s*"([^"]+)"/g)) {
          const target = path.relative(ROOT, path.resolve(ROOT, dir, match[1] ?? ''));
          if (!target.includes('/')) extended.add(target);
        }
      }
    }
    expect(extended.size).toBeGreaterThan(0);
    for (const rootFile of extended) {
      expect(exists(rootFile)).toBe(true);
      expect(steps().some((s) => s.keyword === 'COPY' && s.args.includes(`/repo/${rootFile}`))).toBe(true);
    }
  });

  it('runs as a non-root user in the runtime stage, with NODE_ENV=production', () => {
    const last = Math.max(...steps().map((s) => s.stage));
    const runtime = steps().filter((s) => s.stage === last);
    const user = runtime.filter((s) => s.keyword === 'USER').map((s) => s.args);
    expect(user).toHaveLength(1);
    expect(['root', '0', '0:0']).not.toContain(user[0]);
    expect(runtime.some((s) => s.keyword === 'ENV' && s.args.includes('NODE_ENV=production'))).toBe(true);
  });

  it("starts with the package's own start script and probes the app's port with fetch", () => {
    const cmd = steps().filter((s) => s.keyword === 'CMD');
    expect(cmd).toHaveLength(1);
    expect(execForm(cmd[0]?.args ?? '')).toEqual(['node', startFile(app)]);
    const health = steps().filter((s) => s.keyword === 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    const probe = execForm(health[0]?.args ?? '').join(' ');
    const { variable, port } = appPort(app);
    expect(probe).toContain('fetch(');
    expect(probe).toContain(`process.env.PORT||process.env.${variable}||${port}`);
    expect(probe).toMatch(app === 'miniapp' ? /\/healthz/ : /\/readyz/);
    expect(steps().some((s) => s.keyword === 'EXPOSE' && s.args === String(port))).toBe(true);
  });
});

describe('.dockerignore', () => {
  it('keeps installs, builds, git and secrets out of the build context', () => {
    const lines = readText('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['**/node_modules', '**/dist', '**/.turbo', '.git', '.env', '.data']) {
      expect(lines).toContain(entry);
    }
    expect(lines).toContain('!.env.example');
  });
});
