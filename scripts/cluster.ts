// `npm run cluster`: Temporal as users deploy it — the real server on Postgres with several history
// shards — on this machine, in the foreground. Postgres is an embedded one under data/cluster/
// unless CLUSTER_DATABASE_URL names a server; the product then points at the printed address with
// TEMPORAL_ADDRESS. A server that dies is started again (same port, same databases).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../config/paths';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres';
import { Supervisor } from './supervisor';
import { startTemporalCluster, type TemporalCluster } from './temporal-cluster';

const log = (msg: string) => console.log(`cluster: ${msg}`);

/** A whole number from the environment within bounds, or exit with a message naming the variable. */
function numberFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`Invalid configuration:\n  ${name}: must be a whole number from ${min} to ${max}`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(repoRoot(), 'data'), 'cluster');
  mkdirSync(dataDir, { recursive: true });
  const port = numberFromEnv('CLUSTER_PORT', 7233, 1, 65535);
  const metricsPort = numberFromEnv('CLUSTER_METRICS_PORT', 8000, 1, 65535);
  const historyShards = numberFromEnv('CLUSTER_HISTORY_SHARDS', 4, 1, 16384);
  const namespace = process.env.CLUSTER_NAMESPACE || 'default';

  // Filled as things start; a signal during start-up stops what has started.
  const running: { postgres?: Supervisor<EmbeddedServer>; temporal?: Supervisor<TemporalCluster> } = {};
  const stopAll = async (code: number) => {
    running.temporal?.freeze();
    running.postgres?.freeze();
    await running.temporal?.stop().catch(() => undefined);
    await running.postgres?.stop().catch(() => undefined);
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll(0));
  const giveUp = (reason: string) => {
    console.error(`cluster: ${reason}; stopping`);
    void stopAll(1);
  };

  let postgresUrl = process.env.CLUSTER_DATABASE_URL;
  if (!postgresUrl) {
    const postgres = (running.postgres = await Supervisor.start({
      name: 'the embedded Postgres',
      start: () =>
        startEmbeddedPostgres({
          dataDir: path.join(dataDir, 'postgres'),
          port: numberFromEnv('CLUSTER_POSTGRES_PORT', 54330, 1, 65535),
          logFile: path.join(dataDir, 'postgres.log'),
          log,
        }),
      onGiveUp: giveUp,
      log,
    }));
    postgresUrl = postgres.running!.url;
  }
  const temporal = (running.temporal = await Supervisor.start({
    name: 'the Temporal server',
    start: () => startTemporalCluster({ postgresUrl: postgresUrl!, dir: dataDir, port, metricsPort, historyShards, namespace, log }),
    onGiveUp: giveUp,
    log,
  }));
  const cluster = temporal.running!;
  console.log(`
  Temporal on Postgres is running.
    Address:     ${cluster.address}   (TEMPORAL_ADDRESS=${cluster.address} npm start; or the worker and API entry points)
    Namespace:   ${cluster.namespace}, ${cluster.historyShards} history shards
    Postgres:    ${running.postgres ? `embedded, ${path.join(dataDir, 'postgres')} (port ${running.postgres.running!.port})` : 'CLUSTER_DATABASE_URL'}; databases temporal, temporal_visibility
    Metrics:     ${cluster.metricsUrl}
    Server log:  ${path.join(dataDir, 'temporal-server.log')}
  Stop with Ctrl+C.
`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
