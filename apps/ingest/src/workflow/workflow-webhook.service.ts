import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CLOCK, deterministicId, EventStore, Logger, startStory, StreamIds, TOPICS, type Clock, type PlatformEvent, type Portal, type TopicNames } from '@app/common';
import { IngestMetrics } from '../metrics/ingest-metrics';
import { PortalCache } from '../webhooks/portal-cache';
import { parseJsonBody, verifyIncoming, type IncomingWebhook, type WebhookResponse } from '../webhooks/incoming-webhook';
import { parseWorkflowPayload } from './workflow-payload.parser';

export const WORKFLOW_API_KEY_HEADER = 'x-hubspot-ai-key';

/**
 * Workflow "Send a webhook" actions: one record per request. Authenticated by
 * HubSpot's request signature (v2, or v3 when sent) keyed by the app secret, or by
 * the per-portal API key in the X-HubSpot-AI-Key header. HubSpot waits 30 s and
 * retries for three days on 5xx and 429, so the answer is 200 once recorded and
 * 503 when it cannot be.
 */
@Injectable()
export class WorkflowWebhookService {
  constructor(
    private readonly config: AppConfig,
    private readonly eventStore: EventStore,
    private readonly portals: PortalCache,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async receive(portalId: number, request: IncomingWebhook): Promise<WebhookResponse> {
    const now = this.clock();
    let portal: Portal | undefined;
    try {
      portal = (await this.portals.lookUp([portalId])).get(portalId);
    } catch (error) {
      this.logger.error('portal lookup failed; answering 503', { error });
      return { status: 503, body: { message: 'portal registry unavailable; retry later' } };
    }
    const authenticatedBy = this.authenticate(portal, request, now);
    if (!authenticatedBy) return { status: 401, body: { message: `invalid signature or API key for portal ${portalId}` } };
    const json = parseJsonBody(request);
    if (!json.ok) return json.response;
    const body = json.body;
    const typeHint = new URL(request.pathAndQuery, 'http://x').searchParams.get('objectType') ?? undefined;
    const payload = parseWorkflowPayload(body, typeHint);
    if (!payload.ok) return { status: 400, body: { message: payload.reason } };
    if (payload.bodyPortalId !== null && payload.bodyPortalId !== portalId) {
      return { status: 400, body: { message: `body is for portal ${payload.bodyPortalId}, URL for portal ${portalId}` } };
    }

    // HubSpot's retries repeat the body byte for byte, so its hash identifies the delivery.
    const id = deterministicId('hubspot-workflow', portalId, createHash('sha256').update(request.rawBody).digest('hex'));
    const streamId = StreamIds.crmObject(portalId, payload.objectType, payload.objectId);
    const active = portal?.status === 'active';
    const event: PlatformEvent<'WorkflowWebhookReceived'> = startStory(
      { type: 'WorkflowWebhookReceived', portalId, id, data: { objectType: payload.objectType, objectId: payload.objectId, properties: payload.properties, authenticatedBy, raw: body } },
      now,
    );
    try {
      const result = await this.eventStore.append({ streamId, events: [event], publishTo: active ? this.topics.webhooksRaw : undefined });
      const outcome = result.kind === 'duplicate' ? 'duplicate' : active ? 'accepted' : 'ignored';
      this.metrics.events.inc({ outcome: 'received', portal: String(portalId), subscription_type: 'workflow' });
      this.metrics.events.inc({ outcome, portal: String(portalId), subscription_type: 'workflow' });
      return { status: 200, body: { outcome, eventId: id } };
    } catch (error) {
      this.logger.error('workflow webhook could not be recorded; answering 503', { error, portalId });
      return { status: 503, body: { message: 'event could not be recorded durably; retry later' } };
    }
  }

  private authenticate(portal: Portal | undefined, request: IncomingWebhook, now: Date): 'signature-v2' | 'signature-v3' | 'api-key' | undefined {
    const signed = verifyIncoming(request, this.config, now.getTime());
    if (signed.valid && signed.version !== 'v1') return signed.version === 'v2' ? 'signature-v2' : 'signature-v3';
    const presented = request.headers[WORKFLOW_API_KEY_HEADER];
    const expected = portal?.settings.workflowApiKeySha256;
    if (typeof presented === 'string' && typeof expected === 'string' && expected.length === 64) {
      const given = createHash('sha256').update(presented).digest();
      if (timingSafeEqual(given, Buffer.from(expected, 'hex'))) return 'api-key';
    }
    return undefined;
  }
}
