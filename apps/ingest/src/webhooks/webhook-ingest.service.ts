import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CLOCK, EventStore, Logger, PortalRepository, TOPICS, publicBaseUrlOf, type Clock, type Portal, type TopicNames } from '@app/common';
import { verifyAppWebhook } from './hubspot-signature';
import { planWebhookBatch } from './webhook-batch.planner';

export interface IncomingWebhook {
  method: string;
  /** Path and query as received (req.originalUrl). */
  pathAndQuery: string;
  contentType: string | undefined;
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
}

export const MAX_EVENTS_PER_REQUEST = 100;

/**
 * Verifies, parses and durably records one HubSpot app-webhook request. Answers 200
 * only after the events (and their outbox rows) are committed; 503 when Postgres
 * cannot take them, so HubSpot retries.
 */
@Injectable()
export class WebhookIngestService {
  constructor(
    private readonly config: AppConfig,
    private readonly eventStore: EventStore,
    private readonly portals: PortalRepository,
    private readonly logger: Logger,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async receive(request: IncomingWebhook): Promise<WebhookResponse> {
    const now = this.clock();
    const check = verifyAppWebhook(
      { method: request.method, uri: publicBaseUrlOf(this.config) + request.pathAndQuery, rawBody: request.rawBody, headers: request.headers },
      this.config.hubspotClientSecret ?? '',
      now.getTime(),
    );
    if (!check.valid) {
      this.logger.warn('webhook signature rejected', { reason: check.reason });
      return { status: 401, body: { message: `invalid signature: ${check.reason}` } };
    }
    if (!request.contentType?.toLowerCase().startsWith('application/json')) {
      return { status: 415, body: { message: `Content-Type must be application/json, got ${request.contentType ?? 'none'}` } };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.rawBody.toString('utf8'));
    } catch (error) {
      return { status: 400, body: { message: `body is not valid JSON: ${(error as Error).message}` } };
    }
    if (!Array.isArray(parsed)) return { status: 400, body: { message: 'body must be a JSON array of webhook events' } };
    if (parsed.length > MAX_EVENTS_PER_REQUEST) return { status: 400, body: { message: `at most ${MAX_EVENTS_PER_REQUEST} events per request, got ${parsed.length}` } };

    try {
      const portals = await this.lookUpPortals(parsed);
      const plan = planWebhookBatch(parsed, portals, this.topics, now);
      const result = plan.requests.length > 0 ? await this.eventStore.appendAll(plan.requests) : { kind: 'committed' as const, results: [] };
      if (result.kind !== 'committed') throw new Error(`unexpected append conflict on ${result.streamId}`);
      const duplicates = result.results.filter((r) => r.kind === 'duplicate').length;
      const body = { received: parsed.length, accepted: plan.accepted - countDuplicatesPublished(plan, result.results), ignored: plan.ignored, rejected: plan.rejected, duplicates };
      this.logger.info('webhook recorded', { ...body, signature: check.version });
      return { status: 200, body };
    } catch (error) {
      this.logger.error('webhook could not be recorded; answering 503 so HubSpot retries', { error });
      return { status: 503, body: { message: 'events could not be recorded durably; retry later' } };
    }
  }

  private async lookUpPortals(events: unknown[]): Promise<Map<number, Portal>> {
    const ids = new Set<number>();
    for (const e of events) {
      const id = (e as { portalId?: unknown } | null)?.portalId;
      if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) ids.add(id);
    }
    const portals = new Map<number, Portal>();
    for (const id of ids) {
      const portal = await this.portals.find(id);
      if (portal) portals.set(id, portal);
    }
    return portals;
  }
}

function countDuplicatesPublished(plan: { requests: Array<{ publishTo?: string }> }, results: Array<{ kind: string }>): number {
  return results.filter((r, i) => r.kind === 'duplicate' && plan.requests[i]?.publishTo).length;
}
