import { databaseEnv, loadEnvOrExit } from '@tikethet/config';
import { runMigrations } from './migrate';

const env = loadEnvOrExit({ DATABASE_URL: databaseEnv.DATABASE_URL });
/** `--until=<tag>` stops after that migration (the scale bench fills a database at 0005, then applies the rest). */
const until = process.argv
  .slice(2)
  .find((a) => a.startsWith('--until='))
  ?.slice('--until='.length);
runMigrations(env.DATABASE_URL, { until }).then(
  () => {
    process.stdout.write(until ? `migrations applied until ${until}\n` : 'migrations applied\n');
  },
  (error: unknown) => {
    process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
