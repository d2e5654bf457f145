import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CLOCK, Logger, TOPICS, type Clock, type TopicNames } from '@app/common';
import { IngestMetrics, subscriptionLabel } from '../metrics/ingest-metrics';
import { GroupCommitter } from './group-committer';
import { readSignature } from './hubspot-signature';
import { parseJsonBody, parseJsonBytes, signaturePolicyOf, signedRequestOf, type IncomingWebhook, type WebhookResponse } from './incoming-webhook';
import { PortalCache } from './portal-cache';
import { PortalSecretCache } from './portal-secret-cache';
import { authenticateAppWebhook, portalsNamedBy, type AppSecrets } from './signing-secret';
import { unauthorized } from './unauthorized';
import { planWebhookBatch, type PlannedEvent } from './webhook-batch.planner';

export const MAX_EVENTS_PER_REQUEST = 100;

/**
 * Verifies, parses and durably records one HubSpot app-webhook request; verified
 * with the secret of the app that sent it (signing-secret.ts): a private-app
 * portal's own, or the public app's. Answers 200 only after the events (and their
 * outbox rows and coalescing entries) are committed; 503 when Postgres cannot take
 * them, so HubSpot retries. An authentic
 * request with events we will not process still gets 200: HubSpot would otherwise
 * retry it for a day.
 */
@Injectable()
export class WebhookIngestService {
  private readonly secrets: AppSecrets;

  constructor(
    private readonly config: AppConfig,
    private readonly committer: GroupCommitter,
    private readonly portals: PortalCache,
    portalSecrets: PortalSecretCache,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.secrets = {
      publicSecret: config.hubspotClientSecret ?? '',
      portalSecret: (portalId) => portalSecrets.clientSecret(portalId),
      // A batch naming several portals: their secrets in one look-up.
      portalSecrets: (portalIds) => portalSecrets.clientSecrets(portalIds),
    };
  }

  async receive(request: IncomingWebhook): Promise<WebhookResponse> {
    const now = this.clock();
    // The reason of a failure is for the operator; the answer is the same for every
    // failure. The edge logs it sampled per source and counts it (edge/edge-guard.ts):
    // a flood of bad signatures must not become a flood of log lines.
    // Missing, stale or downgraded signatures first: they need neither the body nor a secret.
    const signature = readSignature(signedRequestOf(request, this.config), now.getTime(), signaturePolicyOf(this.config, 'app'));
    if (!signature.ok) return unauthorized(signature.reason);
    // Parsed once: the portals it names pick the secret, then it is what gets recorded.
    const bytes = parseJsonBytes(request.rawBody);
    const check = await authenticateAppWebhook(signature, bytes.ok ? portalsNamedBy(bytes.body) : [], this.secrets);
    if (!check.valid) {
      if (!('unavailable' in check)) return unauthorized(check.reason);
      this.logger.error('portal secret lookup failed; answering 503 so HubSpot retries', { error: check.error });
      return { status: 503, body: { message: 'portal registry unavailable; retry later' } };
    }
    this.metrics.signatures.inc({ route: 'app', authenticated_by: check.version });
    if (check.version !== 'v3') this.logger.warn('legacy webhook signature accepted (HUBSPOT_LEGACY_SIGNATURES)', { route: 'app', legacySignature: check.version });
    const json = parseJsonBody(request, bytes);
    if (!json.ok) return json.response;
    const parsed = json.body;
    if (!Array.isArray(parsed)) return { status: 400, body: { message: 'body must be a JSON array of webhook events' } };
    if (parsed.length > MAX_EVENTS_PER_REQUEST) return { status: 400, body: { message: `at most ${MAX_EVENTS_PER_REQUEST} events per request, got ${parsed.length}` } };

    let planned: PlannedEvent[];
    let duplicates: boolean[];
    try {
      const portals = await this.portals.lookUp(portalIdsIn(parsed));
      const plan = planWebhookBatch(parsed, { portals, topics: this.topics, now, appId: this.config.hubspotAppId, coalesceWindowMs: this.config.coalesceWindowMs });
      planned = plan.planned;
      duplicates = plan.requests.length > 0 ? await this.committer.submit({ requests: plan.requests, changes: plan.changes }) : [];
    } catch (error) {
      this.logger.error('webhook could not be recorded; answering 503 so HubSpot retries', { error });
      return { status: 503, body: { message: 'events could not be recorded durably; retry later' } };
    }

    const body = this.count(planned, duplicates);
    for (const [i, event] of planned.entries()) {
      if (event.outcome === 'accepted' || event.outcome === 'coalesced') this.logger.debug('webhook event recorded', { correlationId: event.eventId, portalId: event.portalId, subscriptionType: event.subscriptionType, duplicate: duplicates[i] });
    }
    this.logger.info('webhook recorded', { ...body, signature: check.version, signedBy: check.signedBy.app === 'private' ? 'private-app' : 'public-app' });
    return { status: 200, body };
  }

  private count(planned: PlannedEvent[], duplicates: boolean[]): Record<string, number> {
    const body = { received: planned.length, accepted: 0, coalesced: 0, duplicates: 0, ignored: 0, rejected: 0 };
    planned.forEach((event, i) => {
      const outcome = duplicates[i] && event.outcome !== 'rejected' ? 'duplicate' : event.outcome;
      if (outcome === 'duplicate') body.duplicates += 1;
      else body[outcome] += 1;
      const labels = { portal: String(event.portalId), subscription_type: subscriptionLabel(event.subscriptionType) };
      this.metrics.events.inc({ ...labels, outcome: 'received' });
      this.metrics.events.inc({ ...labels, outcome });
    });
    return body;
  }
}

function portalIdsIn(events: unknown[]): number[] {
  const ids: number[] = [];
  for (const e of events) {
    const id = (e as { portalId?: unknown } | null)?.portalId;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) ids.push(id);
  }
  return ids;
}
