// `npm run migrate` / `node dist/scripts/migrate.js`: applies pending migrations to DATABASE_URL.
import { z } from 'zod';
import { migrate } from '../db/migrate';

const env = z.object({ DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }) }).safeParse(process.env);
if (!env.success) {
  console.error(`Invalid configuration:\n  DATABASE_URL: ${env.error.issues[0]!.message}`);
  process.exit(1);
}
migrate(env.data.DATABASE_URL).then(
  (applied) => console.log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'schema is up to date'),
  (err) => {
    console.error(err.message);
    process.exit(1);
  },
);
