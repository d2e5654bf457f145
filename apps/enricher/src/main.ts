import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { closeOnSignals, installCrashHandlers, loadServiceConfig, NestJsonLogger, PlatformModule, runService } from '@app/common';
import { EnricherModule } from './enricher.module';
import { OFFLINE_LABEL } from './ai/offline-rules.provider';

async function bootstrap(): Promise<void> {
  const { config, logger } = loadServiceConfig('enricher');
  installCrashHandlers(logger);
  if (!config.anthropicApiKey) logger.warn(OFFLINE_LABEL);

  @Module({ imports: [PlatformModule.forRoot(config, 'enricher', logger), EnricherModule] })
  class EnricherAppModule {}

  // Headless: an application context, no HTTP server.
  const app = await NestFactory.createApplicationContext(EnricherAppModule, { logger: new NestJsonLogger(logger) });
  closeOnSignals(logger, app);
  logger.info('enricher consuming triggers');
}

runService('enricher', bootstrap);
