import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { closeOnSignals, installCrashHandlers, loadServiceConfig, NestJsonLogger, PlatformModule, runService } from '@app/common';
import { WriterModule } from './writer.module';

async function bootstrap(): Promise<void> {
  const { config, logger } = loadServiceConfig('writer');
  installCrashHandlers(logger);

  @Module({ imports: [PlatformModule.forRoot(config, 'writer', logger), WriterModule] })
  class WriterAppModule {}

  const app = await NestFactory.createApplicationContext(WriterAppModule, { logger: new NestJsonLogger(logger) });
  closeOnSignals(logger, app);
  logger.info('writer consuming writebacks');
}

runService('writer', bootstrap);
