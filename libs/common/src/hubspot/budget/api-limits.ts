/**
 * HubSpot's published API limits (developers.hubspot.com/docs/api/usage-details,
 * checked 2026-11) and the share of them the platform allows itself.
 */
export const HUBSPOT_TIERS = ['free', 'starter', 'professional', 'enterprise'] as const;
export type HubSpotTier = (typeof HUBSPOT_TIERS)[number];
export const HUBSPOT_APP_TYPES = ['private', 'public'] as const;
export type HubSpotAppType = (typeof HUBSPOT_APP_TYPES)[number];

/** What a portal's settings say about its HubSpot account (`settings.hubspot`). */
export interface PortalHubSpotPlan {
  tier?: HubSpotTier;
  appType?: HubSpotAppType;
  /** The "API limit increase" add-on: 250 per 10 s and +1,000,000 per day. */
  apiLimitIncrease?: boolean;
  /** Share kept free for the client's other integrations; overrides HUBSPOT_BUDGET_HEADROOM. */
  headroom?: number;
}

export interface ApiLimits {
  /** Requests in any rolling 10-second window. */
  perTenSeconds: number;
  /** Requests per day for the whole account; null = no daily limit (public OAuth apps). */
  daily: number | null;
  /** CRM search requests per second (a separate limit). */
  searchPerSecond: number;
}

export const TEN_SECONDS_MS = 10_000;
const SEARCH_PER_SECOND = 5;

/**
 * HubSpot's limits for a plan. Without a plan we assume the smallest private-app
 * limits (Free/Starter), so an unconfigured portal can be slow but never over.
 */
export function hubSpotLimitsFor(plan: PortalHubSpotPlan = {}): ApiLimits {
  if (plan.appType === 'public') return { perTenSeconds: 110, daily: null, searchPerSecond: SEARCH_PER_SECOND };
  const byTier: Record<HubSpotTier, { perTenSeconds: number; daily: number }> = {
    free: { perTenSeconds: 100, daily: 250_000 },
    starter: { perTenSeconds: 100, daily: 250_000 },
    professional: { perTenSeconds: 190, daily: 625_000 },
    enterprise: { perTenSeconds: 190, daily: 1_000_000 },
  };
  const base = byTier[plan.tier ?? 'starter'];
  if (plan.apiLimitIncrease) return { perTenSeconds: 250, daily: base.daily + 1_000_000, searchPerSecond: SEARCH_PER_SECOND };
  return { ...base, searchPerSecond: SEARCH_PER_SECOND };
}

export type BudgetPool = 'standard' | 'search';

/** One token bucket's shape: at most `limit` calls in any `windowMs`. */
export interface BucketShape {
  limit: number;
  windowMs: number;
  capacity: number;
  refillPerMs: number;
}

export interface BudgetShape {
  standard: BucketShape;
  search: BucketShape;
  daily: number | null;
}

/**
 * The platform's own budget inside HubSpot's limits, after headroom.
 *
 * HubSpot counts a rolling window, and a token bucket admits at most
 * capacity + refill × window calls in any window. With a small burst capacity
 * (1/20 of the window's allowance) and the refill set to the rest, no window can
 * ever exceed the limit while a backlogged portal still gets 95% of it.
 */
export function budgetShape(limits: ApiLimits, headroom: number): BudgetShape {
  const share = 1 - Math.min(0.9, Math.max(0, headroom));
  return {
    standard: bucket(Math.max(1, Math.floor(limits.perTenSeconds * share)), TEN_SECONDS_MS),
    search: bucket(Math.max(1, Math.floor(limits.searchPerSecond * share)), 1_000),
    daily: limits.daily === null ? null : Math.floor(limits.daily * share),
  };
}

function bucket(limit: number, windowMs: number): BucketShape {
  const capacity = Math.max(1, Math.floor(limit / 20));
  // A limit of one call per window still needs a refill.
  const refill = Math.max(limit - capacity, limit === 1 ? 1 : 0);
  return { limit, windowMs, capacity, refillPerMs: refill / windowMs };
}
