import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createDataSource, ensureDatabaseExists, runMigrations } from '@app/common';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

/** A fresh, migrated database per test file: no test depends on another's data. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `hubspot_ai_test_${label}_${randomBytes(4).toString('hex')}`.replace(/[^a-z0-9_]/g, '_');
  const url = `${POSTGRES_URL}/${name}`;
  await ensureDatabaseExists(url);
  const dataSource = await createDataSource(url, `test-${label}`, 10).initialize();
  await runMigrations(dataSource);
  return {
    url,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      const admin = await new DataSource({ type: 'postgres', url: `${POSTGRES_URL}/postgres` }).initialize();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.destroy();
    },
  };
}
