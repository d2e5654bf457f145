import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { closeOnSignals, installCrashHandlers, listenOps, loadServiceConfig, NestJsonLogger, OpsModule, PlatformModule, runService } from '@app/common';
import { WriterModule } from './writer.module';

async function bootstrap(): Promise<void> {
  const { config, logger } = loadServiceConfig('writer');
  installCrashHandlers(logger);

  @Module({ imports: [PlatformModule.forRoot(config, 'writer', logger), WriterModule, OpsModule.forRoot(config)] })
  class WriterAppModule {}

  // Headless but for its ops listener: health and metrics only (OPS_HOST, its ops port).
  const app = await NestFactory.create(WriterAppModule, { logger: new NestJsonLogger(logger) });
  await listenOps(app, config, 'writer', logger);
  closeOnSignals(logger, app);
  logger.info('writer consuming writebacks');
}

runService('writer', bootstrap);
