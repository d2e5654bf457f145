import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { CoalescerService } from './coalescing/coalescer.service';
import { EdgeGuard } from './edge/edge-guard';
import { EdgeMiddleware } from './edge/edge.middleware';
import { HealthController } from './health/health.controller';
import { IngestMetrics } from './metrics/ingest-metrics';
import { GroupCommitter } from './webhooks/group-committer';
import { PortalCache } from './webhooks/portal-cache';
import { PortalSecretCache } from './webhooks/portal-secret-cache';
import { WebhookController } from './webhooks/webhook.controller';
import { WebhookIngestService } from './webhooks/webhook-ingest.service';
import { WorkflowWebhookService } from './workflow/workflow-webhook.service';
import { OAuthController } from './oauth/oauth.controller';
import { OAuthInstallService } from './oauth/oauth-install.service';
import { ConnectionInspector } from './onboarding/connection-inspector';
import { PortalConnector } from './onboarding/portal-connector.service';
import { PropertyBootstrapService } from './onboarding/property-bootstrap.service';

@Module({
  // /metrics is served on the admin port (AdminDependencies.metrics), not next to the public webhooks.
  // The OAuth install link and HubSpot's redirect back are public too: the installer's browser follows them.
  controllers: [WebhookController, HealthController, OAuthController],
  providers: [WebhookIngestService, GroupCommitter, WorkflowWebhookService, PortalCache, PortalSecretCache, IngestMetrics, CoalescerService, EdgeGuard, OAuthInstallService, ConnectionInspector, PortalConnector, PropertyBootstrapService],
})
export class IngestModule implements NestModule {
  /** The webhook routes authenticate (or refuse) before their body is read: see edge/edge-guard.ts. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(EdgeMiddleware).forRoutes(WebhookController);
  }
}
