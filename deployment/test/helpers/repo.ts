import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The monorepo root (this package lives in `<root>/deployment`). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEPLOYMENT = path.join(ROOT, 'deployment');

export const APPS = ['api', 'gateway', 'bot', 'miniapp'] as const;
export type AppName = (typeof APPS)[number];

export interface PackageJson {
  name: string;
  packageManager?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export function readText(relative: string): string {
  return fs.readFileSync(path.join(ROOT, relative), 'utf8');
}

export function exists(relative: string): boolean {
  return fs.existsSync(path.join(ROOT, relative));
}

export function readJson<T>(relative: string): T {
  return JSON.parse(readText(relative)) as T;
}

/** YAML with merge keys (`<<: *anchor`), as docker compose reads it. */
export function readYaml(relative: string): unknown {
  return parse(readText(relative), { merge: true });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${what} is not a mapping`);
  return value;
}

export function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
}

/** Workspace packages by name -> their folder relative to the root. */
export function workspacePackages(): Map<string, { dir: string; pkg: PackageJson }> {
  const out = new Map<string, { dir: string; pkg: PackageJson }>();
  for (const parent of ['apps', 'packages']) {
    for (const name of fs.readdirSync(path.join(ROOT, parent))) {
      const dir = `${parent}/${name}`;
      if (!exists(`${dir}/package.json`)) continue;
      const pkg = readJson<PackageJson>(`${dir}/package.json`);
      out.set(pkg.name, { dir, pkg });
    }
  }
  return out;
}

/**
 * Folders of the workspace packages an app is built from: itself and every workspace package reachable
 * through dependencies and devDependencies (the Mini App bundles code from devDependencies), except the
 * test-only testkit. A change in any of them must redeploy the app; a change elsewhere must not.
 */
export function buildClosure(app: AppName): string[] {
  const packages = workspacePackages();
  const seen = new Set<string>();
  const stack = [`@tikethet/${app}`];
  while (stack.length > 0) {
    const name = stack.pop();
    if (name === undefined || seen.has(name)) continue;
    seen.add(name);
    const entry = packages.get(name);
    if (!entry) throw new Error(`no workspace package ${name}`);
    const deps = { ...entry.pkg.dependencies, ...entry.pkg.devDependencies };
    for (const dep of Object.keys(deps)) if (packages.has(dep)) stack.push(dep);
  }
  seen.delete('@tikethet/testkit');
  return [...seen].map((name) => packages.get(name)?.dir ?? name).sort();
}

export function appPackage(app: AppName): PackageJson {
  return readJson<PackageJson>(`apps/${app}/package.json`);
}

/** The app's `start` script, which must be `node <file>` so a platform can run it without pnpm. */
export function startFile(app: AppName): string {
  const start = appPackage(app).scripts?.start ?? '';
  const match = /^node (\S+)$/.exec(start);
  if (!match?.[1]) throw new Error(`apps/${app} start script is not "node <file>": ${start}`);
  return match[1];
}

export function pinnedPnpm(): string {
  const pm = readJson<PackageJson>('package.json').packageManager ?? '';
  const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(pm);
  if (!match?.[1]) throw new Error(`packageManager is not pnpm@x.y.z: ${pm}`);
  return match[1];
}

/** The turbo version the lockfile resolved for the root devDependency. */
export function lockedTurbo(): string {
  const lock = record(readYaml('pnpm-lock.yaml'), 'lockfile');
  const importers = record(lock.importers, 'importers');
  const rootImporter = record(importers['.'], 'root importer');
  const dev = record(rootImporter.devDependencies, 'root devDependencies');
  const turbo = record(dev.turbo, 'turbo');
  return String(turbo.version).split('(')[0] ?? '';
}

/** Folders a glob-ish path like `apps/api/**` or `/apps/api/**` names (the part before the first `*`). */
export function pathPrefix(pattern: string): string {
  const clean = pattern.replace(/^\//, '');
  const star = clean.indexOf('*');
  return (star === -1 ? clean : clean.slice(0, star)).replace(/\/$/, '');
}
