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
  /**
   * How this portal answers batch create/read/update (default: the sandbox's `batchResults` option). Given again
   * for an existing portal (e.g. `POST /__sandbox/portals`), it replaces that portal's setting.
   */
  batchResults?: BatchResultsMode;
  /**
   * Scopes granted to the portal's static (private-app) tokens; absent: every scope. Every CRM endpoint checks them
   * (403 MISSING_SCOPES, see `crm-scopes.ts`). OAuth access tokens carry the scopes of their install instead.
   */
  scopes?: string[];
  /** Account details (`GET /account-info/2026-03/details`): default `US/Eastern`. An IANA zone name. */
  timeZone?: string;
  /** The company currency, default `USD`. */
  currency?: string;
  /** Where the account's data is hosted, default `na1` (`eu1` gives `app-eu1.hubspot.com` as `uiDomain`). */
  dataHostingLocation?: string;
  /** Default `STANDARD`. */
  accountType?: HubSpotAccountType;
  /** `hub_domain` of token introspection, default `portal<portalId>.hubspot.com`. */
  hubDomain?: string;
}

export type HubSpotAccountType = 'APP_DEVELOPER' | 'DEVELOPER_TEST' | 'SANDBOX' | 'STANDARD';

/**
 * How batch create, read and update answer their `results`:
 * - `v3-reference` (default, strict): in no particular order (shuffled by the sandbox's seeded RNG, never in input
 *   order when there are two or more) and without `objectWriteTraceId`, as HubSpot's docs show them (the trace id
 *   only in `errors[].context.objectWriteTraceId`; HubSpot says the order cannot be relied on, hubspot-api-nodejs#190).
 * - `2026-03-documented`: in input order, each result echoing its input's `objectWriteTraceId`, as the examples of
 *   the date-versioned 2026-03 reference show (not checked against the live API).
 */
export type BatchResultsMode = 'v3-reference' | '2026-03-documented';

export interface PortalInfo {
  portalId: number;
  accessTokens: string[];
  tier: HubSpotTier;
  appType: HubSpotAppType;
  appId: number | null;
  limits: RateLimits;
  searchPerSecond: number;
  /** Absent: every scope is granted. */
  scopes?: string[];
  timeZone: string;
  currency: string;
  dataHostingLocation: string;
  accountType: HubSpotAccountType;
  hubDomain: string;
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
  /**
   * 'api' for calls that reached the API, 'fault' for injected faults, 'rate-limited' for 429s. A `dropAfterApply`
   * fault logs 'fault' with the status the sandbox would have answered (the call was applied, the answer never sent).
   * 'oauth' for the OAuth endpoints (`/oauth/...`: authorize, token, introspect, revoke, and the refused v1 paths).
   */
  outcome: 'api' | 'fault' | 'rate-limited' | 'unauthenticated' | 'oauth';
}

/**
 * Faults served to a portal's next API calls (`count` calls each, default 1):
 * - `status`: answers that status (and body) without applying the call;
 * - `drop`: cuts the connection without applying the call;
 * - `dropAfterApply`: applies the call as usual (writes stored, webhooks sent), then cuts the connection without
 *   answering: the client sees a connection reset although HubSpot did the write;
 * - `delayMs`: waits, then serves the call.
 */
export type FaultSpec =
  /** `forMs`: every call of the portal gets it for this long from injection (a storm), whatever `count` says. */
  | { status: number; count?: number; forMs?: number; body?: Json; headers?: Record<string, string> }
  | { drop: true; count?: number }
  | { dropAfterApply: true; count?: number }
  /** Applies the call, then answers this status instead of its result (a 5xx after a partial write). */
  | { statusAfterApply: number; count?: number }
  /** Applies the call, then holds the answer back this long. */
  | { delayAfterApplyMs: number; count?: number }
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

/**
 * An app of the sandbox: its OAuth client, its webhook target and subscriptions, and where it is installed.
 *
 * - A public app (`distribution: 'public'`, the default without `privatePortalId`) is an OAuth multi-account app:
 *   portals install it through `/oauth/authorize`; its webhooks carry the events of every portal that installed it
 *   (several portals per request, as HubSpot batches them), signed with its `clientSecret`.
 * - A legacy private app (`privatePortalId`) belongs to that one portal: its webhooks carry only that portal's
 *   events, signed with its own `clientSecret`; it cannot be installed through OAuth.
 * - `distribution: 'private'` without `privatePortalId`: an OAuth app distributed privately (introspection's
 *   `is_private_distribution: true`).
 *
 * An app configured with none of `clientId`, `redirectUris`, `distribution`, `privatePortalId` (as before the
 * sandbox spoke OAuth) also counts as installed in every portal whose `appId` names it (or, when no portal names
 * it and nothing installed it, in every portal), so existing setups keep receiving their webhooks.
 */
export interface AppConfig {
  appId: number;
  /** Default `client-<appId>`. */
  clientId?: string;
  clientSecret: string;
  /** When given, `redirect_uri` must be one of these exactly (authorize refuses others). */
  redirectUris?: string[];
  distribution?: AppDistribution;
  /** A legacy private app of this portal. */
  privatePortalId?: number;
  /** When given, the authorize URL's `scope` must name exactly these (as HubSpot checks the app's scope settings). */
  requiredScopes?: string[];
  /** When given, the authorize URL's `optional_scope` may only name these. */
  optionalScopes?: string[];
  /** Where webhooks go; without it the app gets none. */
  webhookTargetUrl?: string;
  /** e.g. `contact.creation`, `contact.propertyChange` (every property) or `contact.propertyChange:lifecyclestage`. */
  subscriptions?: string[];
  /** Portals that installed the app (webhooks), besides OAuth installs; default see above. */
  portalIds?: number[];
  /** Max events per request (HubSpot: 100). */
  maxEventsPerRequest?: number;
}

export type AppDistribution = 'public' | 'private';

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
