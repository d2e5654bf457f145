import type { CrmObjectType, HubSpotWebhookEvent } from '@app/common';

export type ParsedEvent = { ok: true; event: HubSpotWebhookEvent } | { ok: false; reason: string; portalId: number | null };

// Maps and Sets, not object literals: `constructor`, `toString` or `__proto__` must not
// pass for an object type because every object literal inherits them.
const OBJECT_TYPES: ReadonlyMap<string, CrmObjectType> = new Map([['contact', 'contacts'], ['company', 'companies'], ['deal', 'deals'], ['ticket', 'tickets']]);
const OBJECT_ACTIONS = new Set(['creation', 'deletion', 'propertyChange', 'merge', 'restore', 'associationChange', 'privacyDeletion']);
const CONVERSATION_ACTIONS = new Set(['creation', 'deletion', 'privacyDeletion', 'propertyChange', 'newMessage']);

/** Checks the fields every HubSpot webhook event must carry. Pure; never throws. */
export function parseWebhookEvent(raw: unknown): ParsedEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'event is not an object', portalId: null };
  const e = raw as Record<string, unknown>;
  const portalId = isPositiveInteger(e.portalId) ? e.portalId : null;
  const problems: string[] = [];
  if (portalId === null) problems.push('portalId must be a positive integer');
  if (!isPositiveInteger(e.eventId) && e.eventId !== 0) problems.push('eventId must be an integer');
  if (!isPositiveInteger(e.objectId)) problems.push('objectId must be a positive integer');
  if (!isPositiveInteger(e.occurredAt)) problems.push('occurredAt must be epoch milliseconds');
  // HubSpot's docs name the field subscriptionType; some payloads say eventType.
  const subscriptionType = typeof e.subscriptionType === 'string' ? e.subscriptionType : typeof e.eventType === 'string' ? e.eventType : undefined;
  if (!subscriptionType) problems.push('subscriptionType is missing');
  if (e.attemptNumber !== undefined && !(Number.isInteger(e.attemptNumber) && (e.attemptNumber as number) >= 0)) problems.push('attemptNumber must be a non-negative integer');
  if (problems.length > 0) return { ok: false, reason: problems.join('; '), portalId };
  return { ok: true, event: { ...(e as HubSpotWebhookEvent), subscriptionType: subscriptionType! } };
}

/** `contact.creation` → contacts; null for conversation events and unknown types. */
export function objectTypeOf(subscriptionType: string): CrmObjectType | null {
  const [object] = subscriptionType.split('.');
  return OBJECT_TYPES.get(object ?? '') ?? null;
}

export function isKnownSubscriptionType(subscriptionType: string): boolean {
  const [object, action, ...rest] = subscriptionType.split('.');
  if (rest.length > 0 || !object || !action) return false;
  if (object === 'conversation') return CONVERSATION_ACTIONS.has(action);
  return OBJECT_TYPES.has(object) && OBJECT_ACTIONS.has(action);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
