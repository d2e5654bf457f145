import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { CLOCK, closeOnSignals, EventStore, HubSpotApi, HubSpotBudget, HubSpotOAuth, installCrashHandlers, KafkaBus, loadServiceConfig, NestJsonLogger, PlatformMetrics, PlatformModule, requestLog, PortalLifecycle, PortalRepository, PortalTokens, runService } from '@app/common';
import { AdminModule } from './admin/admin.module';
import { IngestModule } from './ingest.module';
import { listenPublic } from './edge/public-server';
import { IngestMetrics } from './metrics/ingest-metrics';

async function bootstrap(): Promise<void> {
  const { config, logger } = loadServiceConfig('ingest');
  installCrashHandlers(logger);

  @Module({ imports: [PlatformModule.forRoot(config, 'ingest', logger), IngestModule] })
  class IngestAppModule {}

  // The webhook route reads its own raw body (signatures cover the exact bytes).
  const app = await NestFactory.create(IngestAppModule, { bodyParser: false, logger: new NestJsonLogger(logger) });
  // One log line per request, with its id (X-Request-Id: the caller's when sane, else a new one, returned).
  app.use(requestLog(logger.child({ component: 'http' })));
  // Headers and connection limits of the public port: edge/public-server.ts.
  await listenPublic(app, config);
  logger.info(`ingest listening on :${config.ingestPort}`);

  const admin = await NestFactory.create(
    AdminModule.from({
      config,
      dataSource: app.get(DataSource),
      portals: app.get(PortalRepository),
      eventStore: app.get(EventStore),
      budget: app.get(HubSpotBudget),
      hubspot: app.get(HubSpotApi),
      clock: app.get(CLOCK),
      bus: app.get(KafkaBus),
      lifecycle: app.get(PortalLifecycle),
      oauth: app.get(HubSpotOAuth),
      tokens: app.get(PortalTokens),
      metrics: app.get(IngestMetrics),
      platformMetrics: app.get(PlatformMetrics),
    }),
    { logger: new NestJsonLogger(logger.child({ component: 'admin' })) },
  );
  admin.use(requestLog(logger.child({ component: 'admin-http' })));
  AdminModule.configure(admin);
  await admin.listen(config.adminPort, config.adminHost);
  logger.info(`admin API listening on ${config.adminHost}:${config.adminPort}`);

  // Two applications share one platform: close the admin API first, then ingest
  // (which stops the relay and closes Kafka and Postgres).
  closeOnSignals(logger, admin, app);
}

runService('ingest', bootstrap);
