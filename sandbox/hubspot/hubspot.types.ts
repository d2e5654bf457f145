import type { Json } from '../shared/http-io.util';

export type HubSpotTier = 'starter' | 'professional' | 'enterprise';
export type HubSpotAppType = 'private' | 'public';

export interface RateLimits {
  /** Requests allowed in any rolling 10-second window. */
  perTenSeconds: number;
  /** Requests allowed per UTC day; `null` means no daily limit (public OAuth apps). */
  daily: number | null;
}

export interface AddPortalInput {
  portalId: number;
  accessToken: string;
  tier?: HubSpotTier;
  appType?: HubSpotAppType;
  limits?: Partial<RateLimits>;
  /** Id of the app the token belongs to (`sourceId` of INTEGRATION webhook events). */
  appId?: number;
  /** Limit of the CRM search endpoints per rolling second (default 5). */
  searchPerSecond?: number;
}

export interface PortalInfo {
  portalId: number;
  accessTokens: string[];
  tier: HubSpotTier;
  appType: HubSpotAppType;
  appId: number | null;
  limits: RateLimits;
  searchPerSecond: number;
}

export type CrmObjectType = 'contacts' | 'companies' | 'deals' | 'tickets' | 'notes' | 'tasks' | 'emails';

export interface StoredAssociation {
  toType: CrmObjectType;
  toId: string;
  typeId: number;
  category: 'HUBSPOT_DEFINED' | 'USER_DEFINED';
}

export interface StoredObject {
  id: string;
  type: CrmObjectType;
  properties: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt: number | null;
}

/** What the public API returns for one object. */
export interface PublicObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
  objectWriteTraceId?: string;
  associations?: Record<string, { results: Array<{ id: string; type: string }> }>;
}

export interface RequestLogEntry {
  seq: number;
  method: string;
  path: string;
  query: string;
  portalId: number | null;
  token: string | null;
  status: number;
  time: number;
  /** Parsed JSON body of the request, when it had one. */
  body?: unknown;
  /** 'api' for calls that reached the API, 'fault' for injected faults, 'rate-limited' for 429s. */
  outcome: 'api' | 'fault' | 'rate-limited' | 'unauthenticated';
}

export type FaultSpec =
  | { status: number; count?: number; body?: Json; headers?: Record<string, string> }
  | { drop: true; count?: number }
  | { delayMs: number; count?: number };

export interface RateLimitStats {
  portalId: number;
  calls: number;
  rateLimited: number;
  rateLimitedTenSecondly: number;
  rateLimitedDaily: number;
  rateLimitedSecondly: number;
  searchCalls: number;
  dailyUsed: number;
}

export interface AppConfig {
  appId: number;
  clientSecret: string;
  webhookTargetUrl: string;
  /** e.g. `contact.creation`, `contact.propertyChange` (every property) or `contact.propertyChange:lifecyclestage`. */
  subscriptions: string[];
  /** Portals that installed the app; default every portal. */
  portalIds?: number[];
  /** Max events per request (HubSpot: 100). */
  maxEventsPerRequest?: number;
}

export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  changeSource: string;
  changeFlag?: string;
  propertyName?: string;
  propertyValue?: string;
  sourceId?: string;
  [extra: string]: Json | undefined;
}

export interface WebhookDelivery {
  seq: number;
  appId: number;
  url: string;
  attemptNumber: number;
  eventIds: number[];
  portalIds: number[];
  body: string;
  headers: Record<string, string>;
  sentAt: number;
  status: number | null;
  error: string | null;
  durationMs: number;
  ok: boolean;
}

export interface WebhookRetryOptions {
  /** Retries after the first attempt (HubSpot: 10). */
  maxRetries: number;
  /** Delay before retry n (1-based) in ms. */
  delayMs: (retry: number) => number;
  /** No answer within this many ms counts as a failure (HubSpot: 5000). */
  timeoutMs: number;
  /** How long events wait to be batched together before sending. */
  batchWindowMs: number;
  /** In-flight requests per app (HubSpot: 10). */
  maxConcurrent: number;
}
