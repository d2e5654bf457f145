import { Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, type ServiceName } from '../config/app-config';
import { createDataSource } from '../database/data-source';
import { EventStore } from '../event-store/event-store.repository';
import { BudgetRepository } from '../hubspot/budget/budget.repository';
import { HubSpotBudget } from '../hubspot/budget/hubspot-budget';
import { OutboxRelay } from '../event-store/outbox-relay';
import { HubSpotClientFactory } from '../hubspot/hubspot-client.factory';
import { HubSpotApi } from '../hubspot/hubspot-api';
import { KafkaBus } from '../kafka/kafka-bus';
import { topicNames } from '../kafka/topics';
import { Logger } from '../logging/logger';
import { PortalRepository } from '../portals/portal.repository';
import { TokenCipher } from '../portals/token-cipher';
import { CLOCK, SERVICE_NAME, TOPICS, type Clock } from './tokens';

/** Starts the outbox relay once the app is up and closes every connection on shutdown. */
@Injectable()
class PlatformLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly bus: KafkaBus,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.bus.disconnect();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * What every service shares: config, logger, Postgres (event store, portal registry,
 * outbox relay), Kafka and the HubSpot client factory. Config is loaded and validated
 * by the caller before the module is built, so a bad deployment fails before any I/O.
 */
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig, service: ServiceName, logger: Logger): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: SERVICE_NAME, useValue: service },
        { provide: Logger, useValue: logger },
        { provide: CLOCK, useValue: (() => new Date()) satisfies Clock },
        { provide: TOPICS, useValue: topicNames(config.kafkaTopicPrefix) },
        {
          provide: DataSource,
          useFactory: async () => createDataSource(config.databaseUrl, `hubspot-ai-${service}`).initialize(),
        },
        { provide: EventStore, useFactory: (ds: DataSource) => new EventStore(ds), inject: [DataSource] },
        {
          provide: PortalRepository,
          useFactory: (ds: DataSource) => new PortalRepository(ds, config.tokenEncryptionKey ? new TokenCipher(config.tokenEncryptionKey) : undefined),
          inject: [DataSource],
        },
        { provide: KafkaBus, useFactory: () => new KafkaBus({ brokers: config.kafkaBrokers, clientId: `hubspot-ai-${service}`, logger }) },
        {
          provide: OutboxRelay,
          useFactory: (ds: DataSource, bus: KafkaBus) => new OutboxRelay(ds, bus, logger.child({ component: 'outbox-relay' }), { pollMs: config.outboxPollMs }),
          inject: [DataSource, KafkaBus],
        },
        { provide: HubSpotClientFactory, useFactory: () => new HubSpotClientFactory(config.hubspotApiBaseUrl) },
        { provide: HubSpotApi, useFactory: (clients: HubSpotClientFactory) => new HubSpotApi(clients, config.hubspotRequestTimeoutMs), inject: [HubSpotClientFactory] },
        { provide: HubSpotBudget, useFactory: (ds: DataSource) => new HubSpotBudget(new BudgetRepository(ds), config.hubspotBudgetHeadroom), inject: [DataSource] },
        PlatformLifecycle,
      ],
      exports: [AppConfig, SERVICE_NAME, Logger, CLOCK, TOPICS, DataSource, EventStore, PortalRepository, KafkaBus, OutboxRelay, HubSpotClientFactory, HubSpotApi, HubSpotBudget],
    };
  }
}
