import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { BudgetRepository, EventStore, HubSpotApi, HubSpotBudget, HubSpotClientFactory, HubSpotOAuth, KafkaBus, kafkaConnection, OperatorAlerts, PortalLifecycle, PortalRepository, PortalTokens, TokenCipher, type AppConfig } from '@app/common';
import { AdminModule, type AdminDependencies } from '../../apps/ingest/src/admin/admin.module';
import type { TestDatabase } from './database';
import { memoryLogger } from './logger';

/** The admin app's dependencies on a test database, as ingest's main.ts shares them. */
export function adminDependencies(db: TestDatabase, config: AppConfig, portals = new PortalRepository(db.dataSource, new TokenCipher(config.tokenEncryptionKey!))): AdminDependencies {
  const eventStore = new EventStore(db.dataSource);
  // HUBSPOT_API_BASE_URL: a test that registers portals points it at a HubSpotSandbox.
  const hubspot = new HubSpotApi(new HubSpotClientFactory(config.hubspotApiBaseUrl));
  const clock = () => new Date();
  const oauth = new HubSpotOAuth(hubspot, { clientId: config.hubspotClientId, clientSecret: config.hubspotClientSecret });
  const alerts = new OperatorAlerts(eventStore, memoryLogger().logger, clock);
  return {
    config,
    dataSource: db.dataSource,
    portals,
    eventStore,
    budget: new HubSpotBudget(new BudgetRepository(db.dataSource), config.hubspotBudgetHeadroom),
    hubspot,
    clock,
    // Connects only when a redrive runs.
    bus: new KafkaBus({ ...kafkaConnection(config, 'test-admin'), logger: memoryLogger().logger }),
    lifecycle: new PortalLifecycle(eventStore, db.dataSource),
    oauth,
    tokens: new PortalTokens(portals.credentials, oauth, eventStore, alerts, clock, { refreshSkewMs: config.hubspotTokenRefreshSkewMs, cacheMs: config.portalCacheMs }),
  };
}

/** The admin app on a free loopback port, configured as ingest's main.ts configures it. */
export async function startAdminApp(deps: AdminDependencies): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({ imports: [AdminModule.from(deps)] }).compile();
  const app = AdminModule.configure(moduleRef.createNestApplication({ logger: false }));
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}
