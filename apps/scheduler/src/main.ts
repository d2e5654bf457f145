import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { closeOnSignals, installCrashHandlers, loadServiceConfig, NestJsonLogger, PlatformModule, runService } from '@app/common';
import { SchedulerModule } from './scheduler.module';

async function bootstrap(): Promise<void> {
  const { config, logger } = loadServiceConfig('scheduler');
  installCrashHandlers(logger);

  @Module({ imports: [PlatformModule.forRoot(config, 'scheduler', logger), SchedulerModule] })
  class SchedulerAppModule {}

  const app = await NestFactory.createApplicationContext(SchedulerAppModule, { logger: new NestJsonLogger(logger) });
  closeOnSignals(logger, app);
  logger.info(`scheduler running; daily reviews at each portal's local time (default ${config.schedulerDailyAt})`);
}

runService('scheduler', bootstrap);
