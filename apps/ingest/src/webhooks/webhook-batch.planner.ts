import { createHash } from 'node:crypto';
import {
  deterministicId,
  startStory,
  StreamIds,
  type AppendRequest,
  type HubSpotWebhookEvent,
  type PlatformEvent,
  type Portal,
  type TopicNames,
} from '@app/common';
import { isKnownSubscriptionType, objectTypeOf, parseWebhookEvent } from './webhook-event.parser';

export interface BatchPlan {
  requests: AppendRequest[];
  accepted: number;
  ignored: number;
  rejected: number;
}

/**
 * The identity of a HubSpot event across redeliveries. HubSpot documents that
 * eventId alone is not unique, so the key adds what distinguishes two real events:
 * the portal, the subscription, the object and when it happened. attemptNumber is
 * deliberately left out: a retry of the same event must map to the same id.
 */
export function webhookEventId(event: HubSpotWebhookEvent): string {
  return deterministicId('hubspot-webhook', event.portalId, event.subscriptionType, event.objectId, event.eventId, event.occurredAt);
}

/**
 * Turns one verified webhook body into event-store appends. Pure: the caller looks
 * the portals up and passes them in. Each event becomes exactly one of
 * WebhookEventReceived (published to the raw topic for processing),
 * WebhookEventIgnored (recorded, not processed) or WebhookEventRejected.
 */
export function planWebhookBatch(rawEvents: unknown[], portals: ReadonlyMap<number, Portal>, topics: TopicNames, now: Date): BatchPlan {
  const plan: BatchPlan = { requests: [], accepted: 0, ignored: 0, rejected: 0 };
  // HubSpot delivers unordered; process in the order things happened.
  const parsed = rawEvents.map((raw) => ({ raw, result: parseWebhookEvent(raw) }));
  parsed.sort((a, b) => occurredAtOf(a.raw) - occurredAtOf(b.raw));

  for (const { raw, result } of parsed) {
    if (!result.ok) {
      const portalId = result.portalId ?? 0;
      const rejected: PlatformEvent<'WebhookEventRejected'> = startStory(
        { type: 'WebhookEventRejected', portalId, id: deterministicId('hubspot-webhook-rejected', sha256(JSON.stringify(raw) ?? 'undefined')), data: { reason: result.reason, raw } },
        now,
      );
      plan.requests.push({ streamId: StreamIds.webhookRejections(portalId), events: [rejected] });
      plan.rejected += 1;
      continue;
    }
    const event = result.event;
    const objectType = objectTypeOf(event.subscriptionType);
    const streamId = objectType ? StreamIds.crmObject(event.portalId, objectType, event.objectId) : `hubspot-${event.portalId}-${event.subscriptionType.split('.')[0]}-${event.objectId}`;
    const id = webhookEventId(event);
    const occurredAt = new Date(event.occurredAt);
    const portal = portals.get(event.portalId);
    const ignoredReason = !portal ? 'portal-not-registered' : portal.status !== 'active' ? 'portal-not-active' : !isKnownSubscriptionType(event.subscriptionType) ? 'unsupported-subscription-type' : undefined;

    if (ignoredReason) {
      const ignored: PlatformEvent<'WebhookEventIgnored'> = startStory({ type: 'WebhookEventIgnored', portalId: event.portalId, id, occurredAt, data: { reason: ignoredReason, hubspot: event } }, now);
      plan.requests.push({ streamId, events: [ignored] });
      plan.ignored += 1;
      continue;
    }
    const received: PlatformEvent<'WebhookEventReceived'> = startStory(
      { type: 'WebhookEventReceived', portalId: event.portalId, id, occurredAt, data: { subscriptionType: event.subscriptionType, objectType, objectId: String(event.objectId), hubspot: event } },
      now,
    );
    plan.requests.push({ streamId, events: [received], publishTo: topics.webhooksRaw });
    plan.accepted += 1;
  }
  return plan;
}

function occurredAtOf(raw: unknown): number {
  const value = (raw as { occurredAt?: unknown } | null)?.occurredAt;
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.MAX_SAFE_INTEGER;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
