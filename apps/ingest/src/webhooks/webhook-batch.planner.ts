import { createHash } from 'node:crypto';
import {
  deterministicId,
  isPlatformProperty,
  startStory,
  StreamIds,
  type AppendRequest,
  type HubSpotWebhookEvent,
  type PlatformEvent,
  type Portal,
  type TopicNames,
  type WebhookIgnoredReason,
} from '@app/common';
import type { PendingChange } from '../coalescing/coalescing';
import { isKnownSubscriptionType, objectTypeOf, parseWebhookEvent } from './webhook-event.parser';

export interface PlanContext {
  portals: ReadonlyMap<number, Portal>;
  topics: TopicNames;
  now: Date;
  /** The platform's own HubSpot app id, to recognise its own changes. */
  appId?: number;
  /** Property changes wait this long for others of the same object; 0 disables coalescing. */
  coalesceWindowMs: number;
}

/** What one event became; the counts feed the response body and the metrics. */
export type EventOutcome = 'accepted' | 'coalesced' | 'ignored' | 'rejected';

export interface PlannedEvent {
  outcome: EventOutcome;
  /** The recorded event's id, which is also the correlation id of its story. */
  eventId: string;
  portalId: number;
  subscriptionType: string;
  reason?: string;
}

export interface BatchPlan {
  requests: AppendRequest[];
  /** One per request, in the same order. */
  planned: PlannedEvent[];
  /** Property changes to add to coalescing windows, keyed by the event that carries them. */
  changes: Map<string, PendingChange>;
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
 * - WebhookEventReceived, published for processing ("accepted"),
 * - WebhookEventReceived plus a pending change, published later as part of one
 *   ObjectChanged per burst ("coalesced"),
 * - WebhookEventIgnored: recorded, not processed (unknown portal, disabled
 *   subscription, the platform's own change),
 * - WebhookEventRejected: recorded with the reason it is invalid.
 */
export function planWebhookBatch(rawEvents: unknown[], context: PlanContext): BatchPlan {
  const plan: BatchPlan = { requests: [], planned: [], changes: new Map() };
  // HubSpot delivers unordered; record in the order things happened.
  const parsed = rawEvents.map((raw) => ({ raw, result: parseWebhookEvent(raw) }));
  parsed.sort((a, b) => occurredAtOf(a.raw) - occurredAtOf(b.raw));

  for (const { raw, result } of parsed) {
    if (!result.ok) {
      const portalId = result.portalId ?? 0;
      const rejected: PlatformEvent<'WebhookEventRejected'> = startStory(
        { type: 'WebhookEventRejected', portalId, id: deterministicId('hubspot-webhook-rejected', sha256(JSON.stringify(raw) ?? 'undefined')), data: { reason: result.reason, raw } },
        context.now,
      );
      plan.requests.push({ streamId: StreamIds.webhookRejections(portalId), events: [rejected] });
      plan.planned.push({ outcome: 'rejected', eventId: rejected.id, portalId, subscriptionType: subscriptionTypeOf(raw), reason: result.reason });
      continue;
    }
    const event = result.event;
    const objectType = objectTypeOf(event.subscriptionType);
    const streamId = objectType ? StreamIds.crmObject(event.portalId, objectType, event.objectId) : otherStreamId(event);
    const id = webhookEventId(event);
    const occurredAt = new Date(event.occurredAt);
    const ignoredReason = whyIgnored(event, context);

    if (ignoredReason) {
      const ignored: PlatformEvent<'WebhookEventIgnored'> = startStory({ type: 'WebhookEventIgnored', portalId: event.portalId, id, occurredAt, data: { reason: ignoredReason, hubspot: event } }, context.now);
      plan.requests.push({ streamId, events: [ignored] });
      plan.planned.push({ outcome: 'ignored', eventId: id, portalId: event.portalId, subscriptionType: event.subscriptionType, reason: ignoredReason });
      continue;
    }
    const received: PlatformEvent<'WebhookEventReceived'> = startStory(
      { type: 'WebhookEventReceived', portalId: event.portalId, id, occurredAt, data: { subscriptionType: event.subscriptionType, objectType, objectId: String(event.objectId), hubspot: event } },
      context.now,
    );
    if (objectType && isCoalescable(event) && context.coalesceWindowMs > 0) {
      plan.requests.push({ streamId, events: [received] });
      plan.planned.push({ outcome: 'coalesced', eventId: id, portalId: event.portalId, subscriptionType: event.subscriptionType });
      plan.changes.set(id, {
        portalId: event.portalId,
        objectType,
        objectId: String(event.objectId),
        eventId: id,
        propertyName: event.propertyName!,
        propertyValue: event.propertyValue ?? null,
        occurredAt: event.occurredAt,
        dueAt: context.now.getTime() + context.coalesceWindowMs,
      });
      continue;
    }
    plan.requests.push({ streamId, events: [received], publishTo: context.topics.webhooksRaw });
    plan.planned.push({ outcome: 'accepted', eventId: id, portalId: event.portalId, subscriptionType: event.subscriptionType });
  }
  return plan;
}

function whyIgnored(event: HubSpotWebhookEvent, context: PlanContext): WebhookIgnoredReason | undefined {
  // A privacy deletion (GDPR) is honoured whatever the portal's status or subscriptions: the enricher erases (docs/decisions/0019).
  if (event.subscriptionType.endsWith('.privacyDeletion') && objectTypeOf(event.subscriptionType) && isKnownSubscriptionType(event.subscriptionType)) return undefined;
  const portal = context.portals.get(event.portalId);
  if (!portal) return 'portal-not-registered';
  if (portal.status !== 'active') return 'portal-not-active';
  if (!isKnownSubscriptionType(event.subscriptionType)) return 'unsupported-subscription-type';
  const enabled = portal.settings.enabledSubscriptions;
  if (enabled && !enabled.includes(event.subscriptionType)) return 'subscription-disabled';
  if (isOwnChange(event, context.appId)) return 'own-change';
  return undefined;
}

/**
 * The platform's own writebacks come back as propertyChange webhooks. They are
 * recognised by the writing app (changeSource INTEGRATION with sourceId = our app
 * id) and by the property (the `ai_` namespace is ours), so the AI never reacts to
 * its own output.
 */
export function isOwnChange(event: HubSpotWebhookEvent, appId: number | undefined): boolean {
  const byOurApp = appId !== undefined && event.changeSource === 'INTEGRATION' && String(event.sourceId ?? '') === String(appId);
  return byOurApp || (event.subscriptionType.endsWith('.propertyChange') && isPlatformProperty(event.propertyName));
}

function isCoalescable(event: HubSpotWebhookEvent): event is HubSpotWebhookEvent & { propertyName: string } {
  return event.subscriptionType.endsWith('.propertyChange') && typeof event.propertyName === 'string' && event.propertyName.length > 0;
}

/**
 * The stream of an event on no CRM object: conversation events by conversation, any
 * other (unsupported) type in one bounded stream per object id, so a sender's made-up
 * type never becomes a stream name.
 */
function otherStreamId(event: HubSpotWebhookEvent): string {
  const kind = event.subscriptionType.startsWith('conversation.') ? 'conversation' : 'unsupported';
  return `hubspot-${event.portalId}-${kind}-${event.objectId}`;
}

function subscriptionTypeOf(raw: unknown): string {
  const e = raw as { subscriptionType?: unknown; eventType?: unknown } | null;
  const value = typeof e?.subscriptionType === 'string' ? e.subscriptionType : typeof e?.eventType === 'string' ? e.eventType : 'unknown';
  return value.slice(0, 64);
}

function occurredAtOf(raw: unknown): number {
  const value = (raw as { occurredAt?: unknown } | null)?.occurredAt;
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.MAX_SAFE_INTEGER;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
