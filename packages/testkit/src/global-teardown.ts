import { stopGlobalBackends } from './global-setup';

/** jest globalTeardown: stops the embedded Postgres started by globalSetup, if any. */
export async function globalTeardown(): Promise<void> {
  await stopGlobalBackends();
}
