import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { BudgetRepository, EventStore, HubSpotApi, HubSpotBudget, HubSpotClientFactory, PortalRepository, TokenCipher, type AppConfig } from '@app/common';
import { AdminModule, type AdminDependencies } from '../../apps/ingest/src/admin/admin.module';
import type { TestDatabase } from './database';

/** The admin app's dependencies on a test database, as ingest's main.ts shares them. */
export function adminDependencies(db: TestDatabase, config: AppConfig, portals = new PortalRepository(db.dataSource, new TokenCipher(config.tokenEncryptionKey!))): AdminDependencies {
  return {
    config,
    dataSource: db.dataSource,
    portals,
    eventStore: new EventStore(db.dataSource),
    budget: new HubSpotBudget(new BudgetRepository(db.dataSource), config.hubspotBudgetHeadroom),
    // HUBSPOT_API_BASE_URL: a test that saves routing owners points it at a HubSpotSandbox.
    hubspot: new HubSpotApi(new HubSpotClientFactory(config.hubspotApiBaseUrl)),
    clock: () => new Date(),
  };
}

/** The admin app on a free loopback port, configured as ingest's main.ts configures it. */
export async function startAdminApp(deps: AdminDependencies): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({ imports: [AdminModule.from(deps)] }).compile();
  const app = AdminModule.configure(moduleRef.createNestApplication({ logger: false }));
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}
