import { AppConfig, type ServiceName } from '../config/app-config';
import { ConfigError, loadConfig, redactConfig } from '../config/load-config';
import { Logger, serializeError } from '../logging/logger';

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
  // A half-started service (say, Kafka unreachable while subscribing) must exit so
  // its supervisor restarts it, not linger without consuming.
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled rejection; exiting', { error: reason });
    process.exit(1);
  });
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception; exiting', { error });
    process.exit(1);
  });
}

/**
 * On SIGTERM/SIGINT close the given Nest applications in order (consumers finish
 * their in-flight message, the relay stops, connections close) and exit 0.
 */
export function closeOnSignals(logger: Logger, ...apps: Array<{ close(): Promise<void> }>): void {
  let closing = false;
  const close = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    logger.info(`${signal} received; shutting down`);
    try {
      for (const app of apps) await app.close();
      process.exit(0);
    } catch (error) {
      logger.error('shutdown failed', { error });
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));
}

/** Runs a service's bootstrap; a failure to start is logged and ends the process. */
export function runService(name: string, bootstrap: () => Promise<void>): void {
  bootstrap().catch((error: unknown) => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', service: name, msg: 'failed to start; exiting', error: error instanceof Error ? serializeError(error) : String(error) })}\n`);
    process.exit(1);
  });
}
