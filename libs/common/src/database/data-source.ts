import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { PortalEntity } from '../portals/portal.entity';
import { postgresConnectionOptions } from './postgres-tls';

const POOL_IDLE_MS = 60_000;

export function createDataSource(databaseUrl: string, applicationName: string, poolSize = 10): DataSource {
  // TLS from the URL's sslmode/sslrootcert with libpq's meaning (see postgres-tls.ts).
  const { url, ssl } = postgresConnectionOptions(databaseUrl);
  return new DataSource({
    type: 'postgres',
    url,
    ssl,
    entities: [PortalEntity],
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName,
    // keepAlive: a connection lost in a partition is noticed (the relay's lock lives on one).
    // A new connection costs a backend process and cold catalog caches: about 5 ms here
    // before its first answer. pg's default closes idle connections after 10 s, so traffic
    // in bursts paid that again and again; keep them a minute, and a couple always.
    extra: { max: poolSize, min: Math.min(2, poolSize), idleTimeoutMillis: POOL_IDLE_MS, keepAlive: true },
  });
}

/** Creates the database named in the URL if it does not exist (connecting to `postgres`). */
export async function ensureDatabaseExists(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[a-zA-Z0-9_]+$/.test(name)) throw new Error(`database name "${name}" must be letters, digits and underscores`);
  url.pathname = '/postgres';
  const connection = postgresConnectionOptions(url.toString());
  const admin = new DataSource({ type: 'postgres', url: connection.url, ssl: connection.ssl });
  await admin.initialize();
  try {
    const rows: unknown[] = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length > 0) return false;
    await admin.query(`CREATE DATABASE "${name}"`);
    return true;
  } finally {
    await admin.destroy();
  }
}

export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
