import path from 'node:path';
import { parseDockerfile } from './helpers/dockerfile';
import { envExampleNames, miniappBuildNames } from './helpers/env-names';
import { unknownVariables } from './helpers/expect-env';
import { APPS, type AppName, exists, list, ROOT, readText, readYaml, record } from './helpers/repo';

const COMPOSE = 'deployment/docker/docker-compose.yml';
const compose = () => record(readYaml(COMPOSE), 'compose');
const services = () => record(compose().services, 'services');
const service = (name: string) => record(services()[name], `service ${name}`);
const APP_SERVICES: AppName[] = [...APPS];

describe('docker-compose.yml', () => {
  it('parses and runs the whole stack: postgres 16, redis 7, migrate, the four apps', () => {
    expect(Object.keys(services()).sort()).toEqual(
      ['api', 'bot', 'gateway', 'migrate', 'miniapp', 'postgres', 'redis'].sort(),
    );
    expect(String(service('postgres').image)).toMatch(/^postgres:16\b/);
    expect(String(service('redis').image)).toMatch(/^redis:7\b/);
  });

  it('builds each app from the repository root with its own Dockerfile', () => {
    for (const name of [...APP_SERVICES, 'migrate']) {
      const build = record(service(name).build, `${name}.build`);
      const context = path.resolve(ROOT, 'deployment/docker', String(build.context));
      expect(context).toBe(ROOT);
      const dockerfile = String(build.dockerfile);
      expect(exists(dockerfile)).toBe(true);
      const app = name === 'migrate' ? 'api' : name;
      expect(dockerfile).toBe(`deployment/docker/${app}.Dockerfile`);
    }
  });

  it('gives every long-running service a health check and waits on health, not on start', () => {
    for (const [name, raw] of Object.entries(services())) {
      const svc = record(raw, name);
      if (name !== 'migrate') {
        const health = record(svc.healthcheck, `${name}.healthcheck`);
        expect(list(health.test, `${name}.healthcheck.test`).length).toBeGreaterThan(1);
      }
      for (const [dep, cond] of Object.entries(record(svc.depends_on ?? {}, `${name}.depends_on`))) {
        const condition = String(record(cond, `${name}.depends_on.${dep}`).condition);
        expect([`${name}->${dep}:${condition}`]).toEqual([
          `${name}->${dep}:${dep === 'migrate' ? 'service_completed_successfully' : 'service_healthy'}`,
        ]);
        expect(services()[dep]).toBeDefined();
      }
    }
    for (const name of ['api', 'gateway', 'bot']) {
      expect(Object.keys(record(service(name).depends_on, name)).sort()).toEqual([
        'migrate',
        'postgres',
        'redis',
      ]);
    }
    expect(Object.keys(record(service('miniapp').depends_on, 'miniapp')).sort()).toEqual(['api', 'gateway']);
    expect(Object.keys(record(service('migrate').depends_on, 'migrate'))).toEqual(['postgres']);
  });

  it("probes each app on the port it listens on, on the Dockerfile's health path", () => {
    for (const app of APP_SERVICES) {
      const env = record(service(app).environment, `${app}.environment`);
      const portVar = `${app.toUpperCase()}_PORT`;
      const port = String(env[portVar]);
      const probe = list(record(service(app).healthcheck, app).test, app).join(' ');
      const dockerProbe =
        parseDockerfile(`deployment/docker/${app}.Dockerfile`).find((s) => s.keyword === 'HEALTHCHECK')
          ?.args ?? '';
      const healthPath = /\/(healthz|readyz)/.exec(dockerProbe)?.[0] ?? 'none';
      expect(probe).toContain(`http://127.0.0.1:${port}${healthPath}`);
      const ports = list(service(app).ports, `${app}.ports`).map(String);
      expect(ports.some((p) => p.endsWith(`:${port}`))).toBe(true);
    }
  });

  it('keeps the bot behind a profile (it needs a real token)', () => {
    expect(service('bot').profiles).toEqual(['bot']);
    for (const app of ['api', 'gateway', 'miniapp']) expect(service(app).profiles).toBeUndefined();
  });

  it("runs the migrate service with the db package's migrate CLI, shipped in the api image", () => {
    const command = list(service('migrate').command, 'migrate.command').map(String);
    expect(command[0]).toBe('node');
    const match = /^node_modules\/@tikethet\/db\/(.+)$/.exec(command[1] ?? '');
    expect(match?.[1]).toBe('dist/migrate-cli.js');
    expect(readText('packages/db/package.json')).toContain('"migrate": "node dist/migrate-cli.js"');
    expect(exists('packages/db/src/migrate-cli.ts')).toBe(true);
    expect(JSON.parse(readText('apps/api/package.json')).dependencies['@tikethet/db']).toBeDefined();
    expect(service('migrate').image).toBe(service('api').image);
  });

  it('sets only variables each app reads and .env.example documents', () => {
    for (const app of APP_SERVICES) {
      const env = record(service(app).environment, `${app}.environment`);
      expect([app, unknownVariables(app, Object.keys(env))]).toEqual([app, []]);
    }
    expect(unknownVariables('api', Object.keys(record(service('migrate').environment, 'migrate')))).toEqual(
      [],
    );
    const args = record(record(service('miniapp').build, 'miniapp.build').args, 'miniapp.build.args');
    const documented = envExampleNames();
    for (const arg of Object.keys(args)) {
      expect([arg, documented.has(arg), miniappBuildNames().has(arg)]).toEqual([arg, true, true]);
    }
  });

  it('interpolates only documented variables', () => {
    const documented = envExampleNames();
    const interpolated = [...readText(COMPOSE).matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] ?? '');
    expect(interpolated.length).toBeGreaterThan(0);
    expect(interpolated.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('needs a real bot token: no placeholder default, and no development sign-in', () => {
    // `${TELEGRAM_BOT_TOKEN:?…}`: compose itself stops, naming the variable, when .env has none; any default
    // (the old `:-1000000000:local-compose-placeholder-token`) would let anyone sign initData for any admin id.
    const token = String(record(compose()['x-app-env'], 'x-app-env').TELEGRAM_BOT_TOKEN);
    expect(token).toMatch(/^\$\{TELEGRAM_BOT_TOKEN:\?[^}]+\}$/);
    for (const app of ['api', 'gateway', 'bot']) {
      const env = record(service(app).environment, `${app}.environment`);
      expect([app, env.TELEGRAM_BOT_TOKEN]).toEqual([app, token]);
      expect([app, env.DEV_LOGIN]).toEqual([app, undefined]);
    }
    expect(readText(COMPOSE)).not.toMatch(/placeholder/i);
  });

  it('points the Mini App server at the api and gateway services', () => {
    const env = record(service('miniapp').environment, 'miniapp.environment');
    const api = record(service('api').environment, 'api');
    const gateway = record(service('gateway').environment, 'gateway');
    expect(env.API_URL).toBe(`http://api:${String(api.API_PORT)}`);
    expect(env.GATEWAY_URL).toBe(`http://gateway:${String(gateway.GATEWAY_PORT)}`);
  });
});
