import type { AppConfig, CrmObjectType, WebhookEvent } from './hubspot.types';
import { objectTypeInfo } from './object-types.registry';

/** A change in the CRM that may become webhook events. */
export type CrmChange =
  | { kind: 'creation'; portalId: number; objectType: CrmObjectType; objectId: string; occurredAt: number; changeSource: string; sourceId?: string; properties: Record<string, string> }
  | { kind: 'propertyChange'; portalId: number; objectType: CrmObjectType; objectId: string; occurredAt: number; changeSource: string; sourceId?: string; propertyName: string; propertyValue: string }
  | { kind: 'deletion'; portalId: number; objectType: CrmObjectType; objectId: string; occurredAt: number; changeSource: string; sourceId?: string };

export interface Subscription {
  raw: string;
  singular: string;
  eventType: 'creation' | 'propertyChange' | 'deletion';
  /** For propertyChange: one property, or null for every property. */
  propertyName: string | null;
}

/** Parses `contact.creation`, `deal.deletion`, `contact.propertyChange` and `contact.propertyChange:firstname`. */
export function parseSubscription(raw: string): Subscription | undefined {
  const match = /^([a-z_]+)\.(creation|propertyChange|deletion)(?::([A-Za-z0-9_]+))?$/.exec(raw.trim());
  if (!match) return undefined;
  const [, singular, eventType, propertyName] = match;
  if (!singular || !eventType) return undefined;
  return { raw, singular, eventType: eventType as Subscription['eventType'], propertyName: propertyName ?? null };
}

export interface EventDraft {
  subscription: Subscription;
  fields: Omit<WebhookEvent, 'eventId' | 'subscriptionId' | 'appId' | 'attemptNumber'>;
}

/** The events one change produces for one app (nothing when the app is not subscribed; the caller checks the install). */
export function eventsForChange(app: AppConfig, change: CrmChange): EventDraft[] {
  const singular = objectTypeInfo(change.objectType).singular;
  const subs = (app.subscriptions ?? []).map(parseSubscription).filter((s): s is Subscription => s !== undefined && s.singular === singular);
  const base = {
    portalId: change.portalId,
    occurredAt: change.occurredAt,
    objectId: Number(change.objectId),
    changeSource: change.changeSource,
    ...(change.sourceId !== undefined ? { sourceId: change.sourceId } : {}),
  };
  const drafts: EventDraft[] = [];
  const propertyChange = (name: string, value: string): void => {
    for (const sub of subs) {
      if (sub.eventType !== 'propertyChange' || (sub.propertyName !== null && sub.propertyName !== name)) continue;
      drafts.push({ subscription: sub, fields: { ...base, subscriptionType: `${singular}.propertyChange`, objectId: base.objectId, propertyName: name, propertyValue: value } });
    }
  };
  switch (change.kind) {
    case 'creation':
      for (const sub of subs.filter((s) => s.eventType === 'creation')) {
        drafts.push({ subscription: sub, fields: { ...base, subscriptionType: `${singular}.creation`, changeFlag: 'NEW' } });
      }
      for (const [name, value] of Object.entries(change.properties)) propertyChange(name, value);
      break;
    case 'propertyChange':
      propertyChange(change.propertyName, change.propertyValue);
      break;
    case 'deletion':
      for (const sub of subs.filter((s) => s.eventType === 'deletion')) {
        drafts.push({ subscription: sub, fields: { ...base, subscriptionType: `${singular}.deletion`, changeFlag: 'DELETED' } });
      }
      break;
  }
  return drafts;
}

/** Puts the fields in the order HubSpot's examples use. */
export function orderEventFields(event: WebhookEvent): WebhookEvent {
  const ordered: Record<string, unknown> = {
    eventId: event.eventId,
    subscriptionId: event.subscriptionId,
    portalId: event.portalId,
    appId: event.appId,
    occurredAt: event.occurredAt,
    subscriptionType: event.subscriptionType,
    attemptNumber: event.attemptNumber,
    objectId: event.objectId,
  };
  if (event.propertyName !== undefined) ordered.propertyName = event.propertyName;
  if (event.propertyValue !== undefined) ordered.propertyValue = event.propertyValue;
  ordered.changeSource = event.changeSource;
  for (const [key, value] of Object.entries(event)) if (!(key in ordered) && value !== undefined) ordered[key] = value;
  return ordered as WebhookEvent;
}
