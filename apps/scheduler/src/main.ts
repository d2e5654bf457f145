import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { closeOnSignals, installCrashHandlers, listenOps, loadServiceConfig, NestJsonLogger, OpsModule, PlatformModule, runService } from '@app/common';
import { SchedulerModule } from './scheduler.module';

async function bootstrap(): Promise<void> {
  const { config, logger } = loadServiceConfig('scheduler');
  installCrashHandlers(logger);

  @Module({ imports: [PlatformModule.forRoot(config, 'scheduler', logger), SchedulerModule, OpsModule.forRoot(config)] })
  class SchedulerAppModule {}

  // Headless but for its ops listener: health and metrics only (OPS_HOST, its ops port).
  const app = await NestFactory.create(SchedulerAppModule, { logger: new NestJsonLogger(logger) });
  await listenOps(app, config, 'scheduler', logger);
  closeOnSignals(logger, app);
  logger.info(`scheduler running; daily reviews at each portal's local time (default ${config.schedulerDailyAt})`);
}

runService('scheduler', bootstrap);
