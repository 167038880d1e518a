import { unknownVariables } from './helpers/expect-env';
import {
  APPS,
  type AppName,
  appPackage,
  buildClosure,
  exists,
  list,
  type PackageJson,
  pathPrefix,
  pinnedPnpm,
  readJson,
  readYaml,
  record,
} from './helpers/repo';

const blueprint = () => record(readYaml('deployment/render.yaml'), 'render.yaml');
const services = () => list(blueprint().services, 'services').map((s, i) => record(s, `services[${i}]`));
const byName = (name: string) => {
  const found = services().find((s) => s.name === name);
  if (!found) throw new Error(`no service ${name}`);
  return found;
};
const groups = () => list(blueprint().envVarGroups, 'envVarGroups').map((g, i) => record(g, `group ${i}`));
const databases = () => list(blueprint().databases, 'databases').map((d, i) => record(d, `database ${i}`));

/** Every variable a service gets: its own keys plus those of the groups it pulls in. */
function variablesOf(svc: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const raw of list(svc.envVars ?? [], 'envVars')) {
    const entry = record(raw, 'envVar');
    if (typeof entry.fromGroup === 'string') {
      const group = groups().find((g) => g.name === entry.fromGroup);
      if (!group) throw new Error(`no envVarGroup ${entry.fromGroup}`);
      for (const v of list(group.envVars, 'group envVars')) names.push(String(record(v, 'var').key));
    } else {
      names.push(String(entry.key));
    }
  }
  return names;
}

describe('deployment/render.yaml', () => {
  it('parses: api, gateway and miniapp are web services, the bot a worker; Postgres and Key Value exist', () => {
    const kinds = Object.fromEntries(services().map((s) => [s.name, s.type]));
    expect(kinds).toEqual({
      'tikethet-api': 'web',
      'tikethet-gateway': 'web',
      'tikethet-bot': 'worker',
      'tikethet-miniapp': 'web',
      'tikethet-redis': 'keyvalue',
    });
    expect(databases().map((d) => d.name)).toEqual(['tikethet-db']);
  });

  it.each(APPS)(
    '%s: builds with the pinned pnpm and its own filter, starts with its package start script',
    (app) => {
      const svc = byName(`tikethet-${app}`);
      const build = String(svc.buildCommand);
      expect(build).toContain(`pnpm@${pinnedPnpm()}`);
      expect(build).toContain('pnpm install --frozen-lockfile');
      expect(build).toContain(`pnpm turbo run build --filter=@tikethet/${app}`);
      expect(svc.startCommand).toBe(`pnpm --filter @tikethet/${app} start`);
      expect(appPackage(app).scripts?.start).toBeDefined();
      expect(exists(`apps/${app}/package.json`)).toBe(true);
    },
  );

  it('migrates before the api goes live with the root db:migrate script', () => {
    expect(byName('tikethet-api').preDeployCommand).toBe('pnpm db:migrate');
    const root = readJson<PackageJson>('package.json');
    expect(root.scripts?.['db:migrate']).toContain('@tikethet/db');
    for (const app of ['gateway', 'bot', 'miniapp'])
      expect(byName(`tikethet-${app}`).preDeployCommand).toBeUndefined();
  });

  it('checks health of every web service on its ready or live path', () => {
    expect(byName('tikethet-api').healthCheckPath).toBe('/readyz');
    expect(byName('tikethet-gateway').healthCheckPath).toBe('/readyz');
    expect(byName('tikethet-miniapp').healthCheckPath).toBe('/healthz');
  });

  it.each(APPS)('%s: redeploys exactly when its app or a workspace package it builds from changes', (app) => {
    const paths = list(record(byName(`tikethet-${app}`).buildFilter, 'buildFilter').paths, 'paths').map(
      String,
    );
    for (const p of paths) expect([p, exists(pathPrefix(p))]).toEqual([p, true]);
    const folders = paths.filter((p) => p.endsWith('/**')).map(pathPrefix);
    expect(folders.sort()).toEqual(buildClosure(app as AppName));
  });

  it.each(APPS)('%s: gets only variables it reads and .env.example documents', (app) => {
    const names = variablesOf(byName(`tikethet-${app}`));
    expect(names.length).toBeGreaterThan(0);
    expect(unknownVariables(app, names)).toEqual([]);
  });

  it('wires DATABASE_URL and REDIS_URL from the blueprint database and Key Value', () => {
    for (const app of ['api', 'gateway', 'bot']) {
      const vars = list(byName(`tikethet-${app}`).envVars, 'envVars').map((v) => record(v, 'var'));
      const db = record(vars.find((v) => v.key === 'DATABASE_URL')?.fromDatabase, `${app} DATABASE_URL`);
      expect(databases().map((d) => d.name)).toContain(db.name);
      const redis = record(vars.find((v) => v.key === 'REDIS_URL')?.fromService, `${app} REDIS_URL`);
      expect([redis.type, redis.name]).toEqual(['keyvalue', 'tikethet-redis']);
    }
  });

  it('keeps secrets out of the file (sync: false) and shares the token through one group', () => {
    const shared = groups().find((g) => g.name === 'tikethet-shared');
    const token = list(shared?.envVars, 'shared')
      .map((v) => record(v, 'v'))
      .find((v) => v.key === 'TELEGRAM_BOT_TOKEN');
    expect(token?.sync).toBe(false);
    expect(token?.value).toBeUndefined();
    for (const app of ['api', 'gateway', 'bot']) {
      const vars = list(byName(`tikethet-${app}`).envVars, 'envVars').map((v) => record(v, 'var'));
      expect(vars.some((v) => v.fromGroup === 'tikethet-shared')).toBe(true);
    }
  });

  it('points the Mini App server at the api and gateway over the private network', () => {
    const vars = list(byName('tikethet-miniapp').envVars, 'envVars').map((v) => record(v, 'var'));
    const value = (key: string) => String(vars.find((v) => v.key === key)?.value);
    expect(value('API_URL')).toMatch(/^http:\/\/tikethet-api:\d+$/);
    expect(value('GATEWAY_URL')).toMatch(/^http:\/\/tikethet-gateway:\d+$/);
  });
});
