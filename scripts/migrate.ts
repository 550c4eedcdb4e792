// `npm run migrate` / `node dist/scripts/migrate.js`: applies pending migrations to DATABASE_URL.
import { loadConfigOrExit } from '../config/env';
import { migrate } from '../db/migrate';

const { databaseUrl } = loadConfigOrExit();
migrate(databaseUrl).then(
  (applied) => console.log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'schema is up to date'),
  (err) => {
    console.error(err.message);
    process.exit(1);
  },
);
