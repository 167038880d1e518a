import { databaseEnv, loadEnvOrExit } from '@tikethet/config';
import { runMigrations } from './migrate';

const env = loadEnvOrExit({ DATABASE_URL: databaseEnv.DATABASE_URL });
runMigrations(env.DATABASE_URL).then(
  () => {
    process.stdout.write('migrations applied\n');
  },
  (error: unknown) => {
    process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
