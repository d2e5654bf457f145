import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CLOCK, deterministicId, EventStore, Logger, startStory, StreamIds, TOPICS, type Clock, type PlatformEvent, type Portal, type TopicNames } from '@app/common';
import { IngestMetrics } from '../metrics/ingest-metrics';
import { PortalCache } from '../webhooks/portal-cache';
import { readSignature } from '../webhooks/hubspot-signature';
import { parseJsonBody, signaturePolicyOf, signedRequestOf, type IncomingWebhook, type WebhookResponse } from '../webhooks/incoming-webhook';
import { PortalSecretCache } from '../webhooks/portal-secret-cache';
import { authenticateAppWebhook, type AppSecrets } from '../webhooks/signing-secret';
import { unauthorized } from '../webhooks/unauthorized';
import { parseWorkflowPayload } from './workflow-payload.parser';

export const WORKFLOW_API_KEY_HEADER = 'x-hubspot-ai-key';
/** The admin API takes workflow keys of 24 to 256 characters; anything else is refused without a lookup. */
const WORKFLOW_API_KEY_LENGTH = { min: 24, max: 256 };

type AuthenticatedBy = 'signature-v2' | 'signature-v3' | 'api-key';
type Authentication = { ok: true; by: AuthenticatedBy; portal?: Portal } | { ok: false; reason: string } | { ok: false; unavailable: true };

/**
 * Workflow "Send a webhook" (and custom workflow action) calls: one record per
 * request, bound to the portal in the URL. Authenticated, before any other lookup,
 * by HubSpot's request signature (v3; v2 only with
 * HUBSPOT_LEGACY_SIGNATURES=workflow-v2), or by the per-portal API key in
 * X-HubSpot-AI-Key (well-formed keys only cost a cached portal lookup). The
 * signature is made with the secret of the app that sent the call: the URL's
 * portal's own (private-app) client secret when it has one, and then only that;
 * the public app's otherwise (signing-secret.ts). Which one costs a cached look-up
 * per portal id (PortalSecretCache), and only for well-formed, fresh signatures.
 *
 * Tenant rule: the public app's secret signs every portal's calls alike, so a
 * signature proves HubSpot sent the body, not whose URL it was meant for. A signed
 * body must name its portal (origin.portalId, portalId or portal-id) and that
 * portal must be the URL's; otherwise 403 and nothing is recorded (for a private
 * app's signature as well). The per-portal key authenticates the portal itself; a
 * body naming another portal is still refused.
 *
 * HubSpot waits 30 s and retries for three days on 5xx and 429, so the answer is
 * 200 once recorded and 503 when it cannot be.
 */
@Injectable()
export class WorkflowWebhookService {
  private readonly secrets: AppSecrets;

  constructor(
    private readonly config: AppConfig,
    private readonly eventStore: EventStore,
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
      portalSecrets: (portalIds) => portalSecrets.clientSecrets(portalIds),
    };
  }

  async receive(portalId: number, request: IncomingWebhook): Promise<WebhookResponse> {
    const now = this.clock();
    if (!Number.isSafeInteger(portalId) || portalId <= 0) return { status: 400, body: { message: 'portalId must be a positive whole number below 2^53' } };
    const auth = await this.authenticate(portalId, request, now);
    if (!auth.ok) {
      if ('unavailable' in auth) return { status: 503, body: { message: 'portal registry unavailable; retry later' } };
      return this.refuse(portalId, auth.reason);
    }
    const json = parseJsonBody(request);
    if (!json.ok) return json.response;
    const body = json.body;
    const typeHint = new URL(request.pathAndQuery, 'http://x').searchParams.get('objectType') ?? undefined;
    const payload = parseWorkflowPayload(body, typeHint);
    if (!payload.ok) return { status: 400, body: { message: payload.reason } };
    if (payload.bodyPortalId !== portalId) {
      // A signature binds nothing to the URL: the signed body must name the URL's portal.
      if (auth.by !== 'api-key') return this.forbidden(portalId, payload.bodyPortalId);
      if (payload.bodyPortalId !== null) return { status: 400, body: { message: `body is for portal ${payload.bodyPortalId}, URL for portal ${portalId}` } };
    }
    this.metrics.signatures.inc({ route: 'workflow', authenticated_by: auth.by === 'api-key' ? 'api-key' : auth.by.slice('signature-'.length) });
    if (auth.by === 'signature-v2') this.logger.warn('legacy webhook signature accepted (HUBSPOT_LEGACY_SIGNATURES)', { route: 'workflow', legacySignature: 'v2', portalId });

    let portal = auth.portal;
    if (!auth.portal) {
      try {
        portal = (await this.portals.lookUp([portalId])).get(portalId);
      } catch (error) {
        this.logger.error('portal lookup failed; answering 503', { error });
        return { status: 503, body: { message: 'portal registry unavailable; retry later' } };
      }
    }

    // HubSpot's retries repeat the body byte for byte, so its hash identifies the delivery.
    const id = deterministicId('hubspot-workflow', portalId, createHash('sha256').update(request.rawBody).digest('hex'));
    const streamId = StreamIds.crmObject(portalId, payload.objectType, payload.objectId);
    const active = portal?.status === 'active';
    const event: PlatformEvent<'WorkflowWebhookReceived'> = startStory(
      { type: 'WorkflowWebhookReceived', portalId, id, data: { objectType: payload.objectType, objectId: payload.objectId, properties: payload.properties, authenticatedBy: auth.by, raw: body } },
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

  /**
   * The signature first: missing, stale or downgraded signatures are refused without
   * any lookup; a well-formed one costs the secret of the URL's portal (cached, found
   * or not, per portal id: PortalSecretCache), never a portal lookup. Only a request
   * without a valid signature that presents a well-formed key costs a portal lookup
   * (cached, misses included, for PORTAL_CACHE_MS).
   */
  private async authenticate(portalId: number, request: IncomingWebhook, now: Date): Promise<Authentication> {
    const signature = readSignature(signedRequestOf(request, this.config), now.getTime(), signaturePolicyOf(this.config, 'workflow'));
    let refused: string;
    if (signature.ok) {
      // The URL's portal picks the secret: its own when it has one (the public app's is then no way in), else the public app's.
      const signed = await authenticateAppWebhook(signature, [portalId], this.secrets);
      if (signed.valid) return { ok: true, by: signed.version === 'v2' ? 'signature-v2' : 'signature-v3' };
      if ('unavailable' in signed) {
        // Signed with the public app's secret, but whether the portal has its own is unknown: never accepted; HubSpot retries.
        this.logger.error('portal secret lookup failed; answering 503', { error: signed.error, portalId });
        return { ok: false, unavailable: true };
      }
      refused = signed.reason;
    } else {
      refused = signature.reason;
    }
    const presented = request.headers[WORKFLOW_API_KEY_HEADER];
    if (presented === undefined) return { ok: false, reason: refused };
    if (typeof presented !== 'string' || presented.length < WORKFLOW_API_KEY_LENGTH.min || presented.length > WORKFLOW_API_KEY_LENGTH.max) {
      return { ok: false, reason: 'X-HubSpot-AI-Key is not a well-formed key' };
    }
    let portal: Portal | undefined;
    try {
      portal = (await this.portals.lookUp([portalId])).get(portalId);
    } catch (error) {
      this.logger.error('portal lookup failed; answering 503', { error });
      return { ok: false, unavailable: true };
    }
    const expected = portal?.settings.workflowApiKeySha256;
    if (typeof expected !== 'string' || !/^[0-9a-f]{64}$/.test(expected)) return { ok: false, reason: 'portal unknown or without a workflow key' };
    const given = createHash('sha256').update(presented).digest();
    return timingSafeEqual(given, Buffer.from(expected, 'hex')) ? { ok: true, by: 'api-key', portal } : { ok: false, reason: 'X-HubSpot-AI-Key does not match' };
  }

  /**
   * HubSpot did sign it, for another tenant (or for none it names): 403, not 401, so
   * genuine HubSpot traffic does not count as failed authentications of HubSpot's
   * addresses at the edge. Logged in full: only HubSpot can send these.
   */
  private forbidden(portalId: number, bodyPortalId: number | null): WebhookResponse {
    this.logger.warn('signed workflow webhook refused: its body is not for the portal of its URL', { portalId, bodyPortalId });
    return { status: 403, body: { message: 'forbidden' } };
  }

  private refuse(portalId: number, reason: string): WebhookResponse {
    // The same answer for every failure; the reason goes to the edge's sampled failed-authentication log only.
    return unauthorized(`portal ${portalId}: ${reason}`);
  }
}
