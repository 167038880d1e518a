import { parseDockerfile } from './helpers/dockerfile';
import { APPS, buildClosure, exists, list, pathPrefix, readJson, record, startFile } from './helpers/repo';

describe.each(APPS)('deployment/railway/%s.json', (app) => {
  const config = () => record(readJson<unknown>(`deployment/railway/${app}.json`), 'railway config');
  const build = () => record(config().build, 'build');
  const deploy = () => record(config().deploy, 'deploy');

  it("builds with the app's Dockerfile", () => {
    expect(build().builder).toBe('DOCKERFILE');
    expect(build().dockerfilePath).toBe(`deployment/docker/${app}.Dockerfile`);
    expect(exists(String(build().dockerfilePath))).toBe(true);
  });

  it("starts the package's start script and checks the Dockerfile's health path", () => {
    expect(deploy().startCommand).toBe(`node ${startFile(app)}`);
    const probe =
      parseDockerfile(`deployment/docker/${app}.Dockerfile`).find((s) => s.keyword === 'HEALTHCHECK')?.args ??
      '';
    expect(probe).toContain(String(deploy().healthcheckPath));
  });

  it('watches exactly the app, the workspace packages it builds from, its Dockerfile and the root manifests', () => {
    const patterns = list(build().watchPatterns, 'watchPatterns').map(String);
    for (const p of patterns) expect([p, exists(pathPrefix(p))]).toEqual([p, true]);
    const folders = patterns.filter((p) => p.endsWith('/**')).map(pathPrefix);
    expect(folders.sort()).toEqual(buildClosure(app));
    expect(patterns).toEqual(
      expect.arrayContaining([`/deployment/docker/${app}.Dockerfile`, '/pnpm-lock.yaml', '/package.json']),
    );
  });

  it('migrates before deploy only on the api, with the migrate CLI inside its image', () => {
    if (app === 'api') {
      expect(deploy().preDeployCommand).toEqual(['node node_modules/@tikethet/db/dist/migrate-cli.js']);
      expect(exists('packages/db/src/migrate-cli.ts')).toBe(true);
    } else {
      expect(deploy().preDeployCommand).toBeUndefined();
    }
  });
});
