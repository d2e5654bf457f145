import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { closeOnSignals, installCrashHandlers, listenOps, loadServiceConfig, NestJsonLogger, OpsModule, PlatformModule, runService } from '@app/common';
import { EnricherModule } from './enricher.module';
import { OFFLINE_LABEL } from './ai/offline-rules.provider';

async function bootstrap(): Promise<void> {
  const { config, logger } = loadServiceConfig('enricher');
  installCrashHandlers(logger);
  if (!config.anthropicApiKey) logger.warn(OFFLINE_LABEL);

  @Module({ imports: [PlatformModule.forRoot(config, 'enricher', logger), EnricherModule, OpsModule.forRoot(config)] })
  class EnricherAppModule {}

  // Headless but for its ops listener: health and metrics only (OPS_HOST, its ops port).
  const app = await NestFactory.create(EnricherAppModule, { logger: new NestJsonLogger(logger) });
  await listenOps(app, config, 'enricher', logger);
  closeOnSignals(logger, app);
  logger.info('enricher consuming triggers');
}

runService('enricher', bootstrap);
