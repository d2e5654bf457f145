import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, type ServiceName } from '../config/app-config';
import { createDataSource } from '../database/data-source';
import { EventStore } from '../event-store/event-store.repository';
import { PersonalData } from '../privacy/personal-data';
import { PersonalDataErasure } from '../privacy/erasure';
import { SubjectKeys } from '../privacy/subject-keys';
import { BudgetRepository } from '../hubspot/budget/budget.repository';
import { HubSpotBudget } from '../hubspot/budget/hubspot-budget';
import { OutboxRelay } from '../event-store/outbox-relay';
import { HubSpotClientFactory } from '../hubspot/hubspot-client.factory';
import { HubSpotApi } from '../hubspot/hubspot-api';
import { KafkaBus } from '../kafka/kafka-bus';
import { kafkaConnection } from '../kafka/kafka-client-config';
import { KafkaConnectError } from '../kafka/kafka-connect-error';
import { topicNames } from '../kafka/topics';
import { Logger } from '../logging/logger';
import { PortalRepository } from '../portals/portal.repository';
import { TokenCipher } from '../portals/token-cipher';
import { keyringFromConfig } from '../config/token-keys';
import { assertStoredKeysConfigured } from '../crypto/key-rotation';
import { CLOCK, SERVICE_NAME, TOPICS, type Clock } from './tokens';
import { HubSpotOAuth } from '../connections/hubspot-oauth';
import { PortalTokens } from '../connections/portal-tokens';
import { OperatorAlerts } from '../portals/operator-alerts';
import { PortalLifecycle } from '../portals/portal-lifecycle';
import { readConsumerLag } from '../observability/consumer-lag';
import { hubspotCallRecorder } from '../observability/hubspot-call-metrics';
import { KafkaObserver } from '../observability/kafka-observer';
import { PlatformMetrics } from '../observability/platform-metrics';
import { ConsumerGroups, ReadinessTracker } from '../observability/readiness';

/** Reading the consumers' lag at a scrape gives up after this (Kafka unreachable): the lag gauge is then empty. */
const LAG_READ_TIMEOUT_MS = 5_000;

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

/** Points the metrics that are read when scraped at their sources: readiness and the consumers' lag. */
@Injectable()
class PlatformObservability implements OnModuleInit {
  constructor(
    private readonly metrics: PlatformMetrics,
    private readonly readiness: ReadinessTracker,
    private readonly groups: ConsumerGroups,
    private readonly bus: KafkaBus,
  ) {}

  onModuleInit(): void {
    this.metrics.sources.readiness = () => this.readiness.check();
    this.metrics.sources.consumerLag = async () => {
      if (this.groups.assignedTopics().size === 0) return [];
      return withTimeout(this.bus.withAdmin((admin) => readConsumerLag(admin, this.groups.assignedTopics())), LAG_READ_TIMEOUT_MS);
    };
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  work.catch(() => undefined);
  return Promise.race([work, timedOut]).finally(() => clearTimeout(timer));
}

/**
 * Refuses to start a service that holds keys when a stored secret names a key id it
 * lacks (one error naming every missing id), before any consumer or route starts:
 * global modules' init hooks run first.
 */
@Injectable()
class StoredKeysCheck implements OnModuleInit {
  constructor(
    private readonly portals: PortalRepository,
    private readonly dataSource: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    const keyring = this.portals.keyring;
    if (keyring) await assertStoredKeysConfigured(this.dataSource, keyring);
  }
}

/**
 * Connects to Kafka before any consumer or route starts, so a wrong broker address or
 * TLS/SASL setting stops the service at boot saying what is wrong (bootstrap.ts exits
 * non-zero). Ingest alone starts while the brokers are unreachable: webhooks wait in
 * the outbox until Kafka answers (docs/decisions/0002); a TLS or SASL failure, which
 * waiting never heals, stops it too.
 */
@Injectable()
class KafkaBootCheck implements OnModuleInit {
  constructor(
    private readonly bus: KafkaBus,
    private readonly logger: Logger,
    @Inject(SERVICE_NAME) private readonly service: ServiceName,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.bus.checkConnection();
    } catch (error) {
      if (this.service !== 'ingest' || !(error instanceof KafkaConnectError) || error.kind !== 'unreachable') throw error;
      this.logger.warn(`${error.message}; accepting webhooks into the outbox until Kafka answers`);
    }
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
        // Personal data in events is sealed with per-subject data keys wrapped by the keyring (docs/decisions/0019);
        // a service without the keyring (the scheduler) only erases keys.
        { provide: PersonalData, useFactory: (ds: DataSource) => new PersonalData(new SubjectKeys(ds, keyringFromConfig(config))), inject: [DataSource] },
        { provide: EventStore, useFactory: (ds: DataSource, personalData: PersonalData) => new EventStore(ds, personalData), inject: [DataSource, PersonalData] },
        {
          provide: PersonalDataErasure,
          useFactory: (ds: DataSource, events: EventStore, personalData: PersonalData) => new PersonalDataErasure(ds, events, personalData.keys, () => new Date()),
          inject: [DataSource, EventStore, PersonalData],
        },
        {
          provide: PortalRepository,
          useFactory: (ds: DataSource) => {
            const keyring = keyringFromConfig(config);
            return new PortalRepository(ds, keyring ? new TokenCipher(keyring) : undefined);
          },
          inject: [DataSource],
        },
        StoredKeysCheck,
        KafkaBootCheck,
        // Observability (libs/common/src/observability): metrics, consumer group membership, readiness.
        { provide: PlatformMetrics, useFactory: () => new PlatformMetrics(service, { processMetrics: service !== 'ingest' }) },
        ConsumerGroups,
        {
          provide: KafkaBus,
          useFactory: (metrics: PlatformMetrics, groups: ConsumerGroups) =>
            new KafkaBus({ ...kafkaConnection(config, `hubspot-ai-${service}`), logger, observer: new KafkaObserver(metrics, groups) }),
          inject: [PlatformMetrics, ConsumerGroups],
        },
        {
          provide: ReadinessTracker,
          useFactory: (ds: DataSource, bus: KafkaBus, groups: ConsumerGroups) =>
            new ReadinessTracker({ postgres: () => ds.query('SELECT 1').then(() => true), kafka: () => bus.isReachable() }, groups),
          inject: [DataSource, KafkaBus, ConsumerGroups],
        },
        PlatformObservability,
        {
          provide: OutboxRelay,
          useFactory: (ds: DataSource, bus: KafkaBus) => new OutboxRelay(ds, bus, logger.child({ component: 'outbox-relay' }), { pollMs: config.outboxPollMs }),
          inject: [DataSource, KafkaBus],
        },
        { provide: HubSpotClientFactory, useFactory: () => new HubSpotClientFactory(config.hubspotApiBaseUrl) },
        {
          provide: HubSpotApi,
          useFactory: (clients: HubSpotClientFactory, metrics: PlatformMetrics) => new HubSpotApi(clients, config.hubspotRequestTimeoutMs, hubspotCallRecorder(metrics)),
          inject: [HubSpotClientFactory, PlatformMetrics],
        },
        { provide: HubSpotBudget, useFactory: (ds: DataSource) => new HubSpotBudget(new BudgetRepository(ds), config.hubspotBudgetHeadroom), inject: [DataSource] },
        // Connections (docs/decisions/0020): OAuth's endpoints, the portals' tokens (refreshed by one replica at a time), their life as events.
        { provide: HubSpotOAuth, useFactory: (api: HubSpotApi) => new HubSpotOAuth(api, { clientId: config.hubspotClientId, clientSecret: config.hubspotClientSecret }), inject: [HubSpotApi] },
        { provide: PortalLifecycle, useFactory: (events: EventStore, ds: DataSource) => new PortalLifecycle(events, ds), inject: [EventStore, DataSource] },
        OperatorAlerts,
        {
          provide: PortalTokens,
          useFactory: (portals: PortalRepository, oauth: HubSpotOAuth, events: EventStore, alerts: OperatorAlerts, clock: Clock) =>
            new PortalTokens(portals.credentials, oauth, events, alerts, clock, { refreshSkewMs: config.hubspotTokenRefreshSkewMs, cacheMs: config.portalCacheMs }, logger.child({ component: 'portal-tokens' }), service),
          inject: [PortalRepository, HubSpotOAuth, EventStore, OperatorAlerts, CLOCK],
        },
        PlatformLifecycle,
      ],
      exports: [
        AppConfig,
        SERVICE_NAME,
        Logger,
        CLOCK,
        TOPICS,
        DataSource,
        EventStore,
        PersonalData,
        PersonalDataErasure,
        PortalRepository,
        KafkaBus,
        PlatformMetrics,
        ConsumerGroups,
        ReadinessTracker,
        OutboxRelay,
        HubSpotClientFactory,
        HubSpotApi,
        HubSpotBudget,
        HubSpotOAuth,
        PortalLifecycle,
        OperatorAlerts,
        PortalTokens,
      ],
    };
  }
}
