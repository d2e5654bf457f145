import type { EventEnvelope } from './envelope';

/** CRM object types the platform reads and writes (HubSpot's plural API names). */
export const CRM_OBJECT_TYPES = ['contacts', 'companies', 'deals', 'tickets', 'notes', 'tasks'] as const;
export type CrmObjectType = (typeof CRM_OBJECT_TYPES)[number];

/** One event of a HubSpot app webhook body, as HubSpot sent it (plus nothing). */
export interface HubSpotWebhookEvent {
  eventId: number;
  subscriptionId?: number;
  portalId: number;
  appId?: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber?: number;
  objectId: number;
  changeSource?: string;
  changeFlag?: string;
  sourceId?: string;
  propertyName?: string;
  propertyValue?: string;
  [extra: string]: unknown;
}

export type WebhookIgnoredReason = 'portal-not-registered' | 'portal-not-active' | 'unsupported-subscription-type' | 'subscription-disabled' | 'own-change';

export interface RateLimitSnapshot {
  max?: number;
  remaining?: number;
  intervalMs?: number;
  daily?: number;
  dailyRemaining?: number;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
}

/** Every event type and its payload: the contract between the services. */
export interface EventPayloads {
  WebhookEventReceived: { subscriptionType: string; objectType: CrmObjectType | null; objectId: string; hubspot: HubSpotWebhookEvent };
  WebhookEventIgnored: { reason: WebhookIgnoredReason; hubspot: HubSpotWebhookEvent };
  /** A burst of property changes of one object, coalesced: the AI runs once per burst. */
  ObjectChanged: {
    objectType: CrmObjectType;
    objectId: string;
    /** The latest value of each changed property (by HubSpot's occurredAt). */
    properties: Record<string, string | null>;
    sourceEventIds: string[];
    firstOccurredAt: string;
    lastOccurredAt: string;
  };
  /** A workflow "Send a webhook" action: the enrolled record as the object API returns it. */
  WorkflowWebhookReceived: {
    objectType: CrmObjectType;
    objectId: string;
    properties: Record<string, string | null>;
    authenticatedBy: 'signature-v2' | 'signature-v3' | 'api-key';
    raw: unknown;
  };
  WebhookEventRejected: { reason: string; raw: unknown };
  PortalRegistered: { name: string };
  DailyReviewScheduled: { date: string; dailyAt: string };
  ContextFetched: { objectType: CrmObjectType; objectId: string; snapshot: Record<string, unknown>; hubspotStatus: number; rateLimit: RateLimitSnapshot };
  DecisionMade: {
    trigger: { eventId: string; type: string };
    prompt: { id: string; version: number; hash: string };
    provider: 'anthropic' | 'offline-rules';
    model: string;
    /** Exactly what was sent to the model (or to the offline scorer). */
    input: unknown;
    output: Record<string, unknown>;
    usage: TokenUsage;
    latencyMs: number;
    /** Set when the decision was made without an AI model. */
    label?: string;
  };
  TriggerSkipped: { trigger: { eventId: string; type: string }; reason: string };
  WritebackRequested: WritebackCommand;
  WritebackApplied: { commandId: string; hubspotStatus: number; recordsWritten: number; response: unknown; rateLimit: RateLimitSnapshot };
  WritebackSkipped: { commandId: string; hubspotStatus: number; reason: string };
  WritebackFailed: { commandId: string; hubspotStatus: number | null; message: string; retriable: boolean };
  MessageDeadLettered: { topic: string; partition: number; offset: string; reason: string; originalEventId: string | null };
  /** An operator re-published dead letters of one portal and time range to their original topic. */
  DeadLettersRedriven: { deadLetterTopic: string; targetTopic: string; from: string; to: string; redriven: number; scanned: number; requestedBy: string };
}

export type EventType = keyof EventPayloads;
export type PlatformEvent<T extends EventType = EventType> = EventEnvelope<T, EventPayloads[T]>;

/** A single property update of one CRM object, with an id that makes it idempotent. */
export interface WritebackCommand {
  commandId: string;
  kind: 'update-properties';
  objectType: CrmObjectType;
  objectId: string;
  properties: Record<string, string>;
  decisionId: string;
}

/**
 * The platform owns the `ai_` property namespace in every portal: a change to one of
 * these is the platform's own writeback coming back as a webhook, never a new trigger.
 */
export const PLATFORM_PROPERTY_PREFIX = 'ai_';

export function isPlatformProperty(propertyName: string | undefined): boolean {
  return propertyName !== undefined && propertyName.startsWith(PLATFORM_PROPERTY_PREFIX);
}

export function isEventOfType<T extends EventType>(event: EventEnvelope, type: T): event is PlatformEvent<T> {
  return event.type === type;
}
