import { BudgetRepository, EventStore, HubSpotBudget, PortalRepository, TokenCipher, type AppConfig } from '@app/common';
import type { AdminDependencies } from '../../apps/ingest/src/admin/admin.module';
import type { TestDatabase } from './database';

/** The admin app's dependencies on a test database, as ingest's main.ts shares them. */
export function adminDependencies(db: TestDatabase, config: AppConfig, portals = new PortalRepository(db.dataSource, new TokenCipher(config.tokenEncryptionKey!))): AdminDependencies {
  return {
    config,
    dataSource: db.dataSource,
    portals,
    eventStore: new EventStore(db.dataSource),
    budget: new HubSpotBudget(new BudgetRepository(db.dataSource), config.hubspotBudgetHeadroom),
    clock: () => new Date(),
  };
}
