import { appEnvNames, envExampleNames } from './env-names';
import type { AppName } from './repo';

/** Variables set for an app that .env.example does not document or the app's env.ts does not read. */
export function unknownVariables(app: AppName, names: Iterable<string>): string[] {
  const documented = envExampleNames();
  const accepted = appEnvNames(app);
  return [...names].filter((name) => !documented.has(name) || !accepted.has(name)).sort();
}
