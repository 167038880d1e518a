import fs from 'node:fs';
import path from 'node:path';
import * as config from '@tikethet/config';
import { type AppName, exists, ROOT, readText } from './repo';

/** Every variable named in .env.example, set or commented out (`# NAME=...`). */
export function envExampleNames(): Set<string> {
  const names = new Set<string>();
  for (const line of readText('.env.example').split('\n')) {
    const match = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line.trim());
    if (match?.[1]) names.add(match[1]);
  }
  return names;
}

/** Every env fragment @tikethet/config exports (`databaseEnv`, …): an object of zod fields named `<x>Env`. */
const fragments: Record<string, Record<string, unknown>> = {};
for (const [name, value] of Object.entries(config as Record<string, unknown>)) {
  if (/Env$/.test(name) && typeof value === 'object' && value !== null) {
    fragments[name] = value as Record<string, unknown>;
  }
}

/** The env file of an app: `src/env.ts`, or the Mini App server's `server/env.ts`. */
export function envFileOf(app: AppName): string {
  const candidates = [`apps/${app}/src/env.ts`, `apps/${app}/server/env.ts`];
  const found = candidates.find((file) => exists(file));
  if (!found) throw new Error(`apps/${app} has no env.ts (${candidates.join(', ')})`);
  return found;
}

/**
 * Variables an app's env.ts accepts: the keys of the @tikethet/config fragments it spreads (`...databaseEnv`),
 * `portEnv('X_PORT', n)` (PORT and X_PORT), and the keys it declares itself (`NAME: z...`).
 */
export function appEnvNames(app: AppName): Set<string> {
  const source = readText(envFileOf(app));
  const names = new Set<string>();
  for (const match of source.matchAll(/\.\.\.\s*(\w+Env)\b(?!\s*\()/g)) {
    const fragment = match[1] ? fragments[match[1]] : undefined;
    if (!fragment) throw new Error(`${envFileOf(app)} spreads unknown fragment ${match[1]}`);
    for (const key of Object.keys(fragment)) names.add(key);
  }
  for (const match of source.matchAll(/portEnv\(\s*'([A-Z_]+)'/g)) {
    names.add('PORT');
    if (match[1]) names.add(match[1]);
  }
  for (const match of source.matchAll(/^\s*([A-Z][A-Z0-9_]+)\s*:/gm)) {
    if (match[1]) names.add(match[1]);
  }
  return names;
}

/** The default port an app declares with `portEnv('X_PORT', n)`. */
export function appPort(app: AppName): { variable: string; port: number } {
  const match = /portEnv\(\s*'([A-Z_]+)'\s*,\s*(\d+)\s*\)/.exec(readText(envFileOf(app)));
  if (!match?.[1] || !match[2]) throw new Error(`${envFileOf(app)} declares no portEnv`);
  return { variable: match[1], port: Number(match[2]) };
}

/** `VITE_*` variables the Mini App's browser code reads at build time. */
export function miniappBuildNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
        for (const match of readText(relative).matchAll(/import\.meta\.env\??\.(VITE_[A-Z0-9_]+)/g))
          names.add(match[1] ?? '');
    }
  };
  walk('apps/miniapp/src');
  return names;
}
