import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { AppConfig, DeadLetterRedriver } from '@app/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminController } from './admin.controller';
import { DeadLetterAdminService } from './dead-letter-admin.service';
import { PortalAdminService } from './portal-admin.service';

/**
 * The admin API runs as a second Nest application on its own port (ADMIN_PORT,
 * loopback by default) and reuses the ingest application's platform instances,
 * so there is one connection pool and one relay per process.
 */
@Module({})
export class AdminModule {
  static withShared(shared: Provider[]): DynamicModule {
    return {
      module: AdminModule,
      controllers: [AdminController],
      providers: [
        ...shared,
        AdminAuthGuard,
        PortalAdminService,
        DeadLetterAdminService,
        // Its own client, connected only while a redrive runs (see DeadLetterRedriver).
        {
          provide: DeadLetterRedriver,
          useFactory: (config: AppConfig) => new DeadLetterRedriver(new Kafka({ clientId: 'hubspot-ai-ingest-admin', brokers: config.kafkaBrokers, logLevel: logLevel.WARN })),
          inject: [AppConfig],
        },
      ],
    };
  }
}
