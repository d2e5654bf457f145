import { Module } from '@nestjs/common';
import { HealthController } from './health/health.controller';
import { WebhookController } from './webhooks/webhook.controller';
import { WebhookIngestService } from './webhooks/webhook-ingest.service';

@Module({
  controllers: [WebhookController, HealthController],
  providers: [WebhookIngestService],
})
export class IngestModule {}
