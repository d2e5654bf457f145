import { AppConfig, type ServiceName } from '../config/app-config';
import { ConfigError, loadConfig, redactConfig } from '../config/load-config';
import { Logger } from '../logging/logger';

/**
 * The first thing each service's main.ts does: load and validate config, or print
 * every problem at once and exit. Returns the config and a logger for the service.
 */
export function loadServiceConfig(service: ServiceName): { config: AppConfig; logger: Logger } {
  try {
    const config = loadConfig(process.env, service);
    const logger = new Logger(config.logLevel, { service });
    logger.info('configuration loaded', { config: redactConfig(config) });
    return { config, logger };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/** Logs an unexpected crash as JSON before exiting, so it lands with the rest of the logs. */
export function installCrashHandlers(logger: Logger): void {
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: reason }));
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception; exiting', { error });
    process.exit(1);
  });
}
