import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { AppConfig, type ServiceName } from '../config/app-config';
import { isLoopbackHost } from '../config/load-config';
import type { Logger } from '../logging/logger';
import { KEYLESS_METRICS, MetricsAuthGuard } from './metrics-auth.guard';
import { METRICS_REGISTRIES, MetricsController, OpsHealthController } from './ops.controllers';
import { PlatformMetrics } from './platform-metrics';

export type OpsServiceName = Extract<ServiceName, 'enricher' | 'writer' | 'scheduler'>;

/** The ops port of a headless service (ENRICHER_OPS_PORT, WRITER_OPS_PORT, SCHEDULER_OPS_PORT). */
export function opsPortOf(config: AppConfig, service: OpsServiceName): number {
  switch (service) {
    case 'enricher':
      return config.enricherOpsPort;
    case 'writer':
      return config.writerOpsPort;
    case 'scheduler':
      return config.schedulerOpsPort;
  }
}

/**
 * The only HTTP a headless service serves, on its ops listener (OPS_HOST and its
 * ops port): GET /health/live, /health/ready and /metrics. Imported next to
 * PlatformModule, whose PlatformMetrics and ReadinessTracker it serves.
 */
@Module({})
export class OpsModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: OpsModule,
      controllers: [OpsHealthController, MetricsController],
      providers: [
        MetricsAuthGuard,
        // loadConfig refuses a non-loopback OPS_HOST without a key, so keyless means loopback only.
        { provide: KEYLESS_METRICS, useValue: isLoopbackHost(config.opsHost) },
        { provide: METRICS_REGISTRIES, useFactory: (metrics: PlatformMetrics) => [metrics.registry], inject: [PlatformMetrics] },
      ],
    };
  }
}

/** Starts a headless service's application (consumers included) and its ops listener. */
export async function listenOps(app: INestApplication, config: AppConfig, service: OpsServiceName, logger: Logger): Promise<void> {
  const port = opsPortOf(config, service);
  await app.listen(port, config.opsHost);
  logger.info(`${service} ops listener (health, metrics) on ${config.opsHost}:${port}`);
}
