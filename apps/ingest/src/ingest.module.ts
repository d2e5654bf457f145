import { Module } from '@nestjs/common';
import { CoalescerService } from './coalescing/coalescer.service';
import { HealthController } from './health/health.controller';
import { IngestMetrics } from './metrics/ingest-metrics';
import { GroupCommitter } from './webhooks/group-committer';
import { PortalCache } from './webhooks/portal-cache';
import { WebhookController } from './webhooks/webhook.controller';
import { WebhookIngestService } from './webhooks/webhook-ingest.service';
import { WorkflowWebhookService } from './workflow/workflow-webhook.service';

@Module({
  // /metrics is served on the admin port (AdminDependencies.metrics), not next to the public webhooks.
  controllers: [WebhookController, HealthController],
  providers: [WebhookIngestService, GroupCommitter, WorkflowWebhookService, PortalCache, IngestMetrics, CoalescerService],
})
export class IngestModule {}
