import { Module, ValidationPipe, type DynamicModule, type INestApplication, type Provider } from '@nestjs/common';
import { AppConfig, BackfillProgress, BackfillRepository, CLOCK, DecisionCosts, DeadLetterRedriver, EventStore, HubSpotApi, HubSpotBudget, HubSpotOAuth, KafkaBus, METRICS_REGISTRIES, MetricsAuthGuard, MetricsController, PersonalDataErasure, PlatformMetrics, PortalLifecycle, PortalRepository, PortalTokens, SubjectKeys, type Clock } from '@app/common';
import { IngestMetrics } from '../metrics/ingest-metrics';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminController } from './admin.controller';
import { DeadLetterAdminService } from './dead-letter-admin.service';
import { OwnerCheckService } from './owner-check.service';
import { PortalAdminService } from './portal-admin.service';
import { ReplayAdminService } from './replay-admin.service';
import { DigestAdminService } from './digest-admin.service';
import { BackfillAdminService } from '../backfills/backfill-admin.service';
import { BackfillController } from '../backfills/backfill.controller';
import { OnboardingController } from '../onboarding/onboarding.controller';
import { PortalBootstrapService } from '../onboarding/portal-bootstrap.service';
import { PropertyBootstrapService } from '../onboarding/property-bootstrap.service';
import { ConnectionInspector } from '../onboarding/connection-inspector';
import { PortalConnector } from '../onboarding/portal-connector.service';
import { SettingsTemplates } from '../oauth/settings-templates';
import { SettingsTemplatesController } from '../oauth/settings-templates.controller';
import { InstallLinksController } from '../oauth/install-links.controller';
import { OAuthInstallService } from '../oauth/oauth-install.service';
import { DataSource } from 'typeorm';

/**
 * The admin API runs as a second Nest application on its own port (ADMIN_PORT,
 * loopback by default) and reuses the ingest application's platform instances,
 * so there is one connection pool and one relay per process.
 */
/** What the admin app takes from the ingest app's platform (one pool, one budget per process). */
export interface AdminDependencies {
  config: AppConfig;
  dataSource: DataSource;
  portals: PortalRepository;
  eventStore: EventStore;
  budget: HubSpotBudget;
  /** The door to HubSpot (PlatformModule's), for checking routing owner ids with the portal's token. */
  hubspot: HubSpotApi;
  clock: Clock;
  /** PlatformModule's: the portals' events and projection, OAuth at HubSpot, and fresh tokens (OAuth portals' refreshed). */
  lifecycle: PortalLifecycle;
  oauth: HubSpotOAuth;
  tokens: PortalTokens;
  /** PlatformModule's door to Kafka: the dead-letter redrive reads and publishes through it. */
  bus: KafkaBus;
  /** Ingest's metrics, scraped at GET /metrics on this (internal) port rather than the public webhook port. */
  metrics?: IngestMetrics;
  /** The platform's (Kafka, HubSpot, readiness), served on the same GET /metrics after ingest's own. */
  platformMetrics?: PlatformMetrics;
}

@Module({})
export class AdminModule {
  /** The admin app's request handling: unknown fields are rejected, every reason listed. */
  static configure(app: INestApplication): INestApplication {
    return app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  }

  static from(deps: AdminDependencies): DynamicModule {
    const module = AdminModule.withShared([
      { provide: AppConfig, useValue: deps.config },
      { provide: PortalRepository, useValue: deps.portals },
      { provide: EventStore, useValue: deps.eventStore },
      { provide: CLOCK, useValue: deps.clock },
      { provide: KafkaBus, useValue: deps.bus },
      { provide: HubSpotBudget, useValue: deps.budget },
      { provide: HubSpotApi, useValue: deps.hubspot },
      { provide: PortalLifecycle, useValue: deps.lifecycle },
      { provide: HubSpotOAuth, useValue: deps.oauth },
      { provide: PortalTokens, useValue: deps.tokens },
      { provide: SettingsTemplates, useValue: new SettingsTemplates(deps.dataSource) },
      { provide: DataSource, useValue: deps.dataSource },
      { provide: DecisionCosts, useValue: new DecisionCosts(deps.dataSource) },
      { provide: BackfillRepository, useValue: new BackfillRepository(deps.dataSource) },
      { provide: BackfillProgress, useValue: new BackfillProgress(deps.dataSource) },
      // Erasures and offboarding (docs/decisions/0019) destroy the data keys of the event store's sealing.
      {
        provide: PersonalDataErasure,
        useValue: new PersonalDataErasure(deps.dataSource, deps.eventStore, deps.eventStore.personalData?.keys ?? new SubjectKeys(deps.dataSource, undefined), deps.clock),
      },
    ]);
    if (!deps.metrics) return module;
    const registries = [deps.metrics.registry, ...(deps.platformMetrics ? [deps.platformMetrics.registry] : [])];
    return { ...module, controllers: [...module.controllers!, MetricsController], providers: [...module.providers!, MetricsAuthGuard, { provide: METRICS_REGISTRIES, useValue: registries }] };
  }

  static withShared(shared: Provider[]): DynamicModule {
    return {
      module: AdminModule,
      controllers: [AdminController, OnboardingController, BackfillController, SettingsTemplatesController, InstallLinksController],
      providers: [
        ...shared,
        AdminAuthGuard,
        PortalAdminService,
        OwnerCheckService,
        DeadLetterAdminService,
        ReplayAdminService,
        DigestAdminService,
        BackfillAdminService,
        PropertyBootstrapService,
        PortalBootstrapService,
        ConnectionInspector,
        PortalConnector,
        OAuthInstallService,
        // Connected only while a redrive runs (see DeadLetterRedriver), with the bus's settings.
        { provide: DeadLetterRedriver, useFactory: (bus: KafkaBus) => bus.redriver(), inject: [KafkaBus] },
      ],
    };
  }
}
