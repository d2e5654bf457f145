import { sleep } from '../../util/backoff';
import type { HubSpotCallResult } from '../hubspot-api';
import { classifyHubSpotFailure, readRateLimitHeaders, type HubSpotFailureClass } from '../hubspot-errors';
import type { RateLimitSnapshot } from '../../events/event-types';
import { hubSpotLimitsFor, type BudgetPool, type PortalHubSpotPlan } from './api-limits';
import type { BudgetRepository, VersionedBudget } from './budget.repository';
import { applyRateLimited, effectiveShape, initialBudgetState, observeRateLimitHeaders, takeTokens, type BudgetState, type RateLimitPolicy } from './token-bucket';

export type BudgetGrant = { granted: true } | { granted: false; waitMs: number; reason: string };

/** A refused grant as the retriable failure a caller hands back (its work comes back after the wait). */
export function budgetRetry(grant: Extract<BudgetGrant, { granted: false }>): HubSpotFailureClass {
  return { kind: 'retry', reason: `HubSpot budget: ${grant.reason}`, retryAfterMs: grant.waitMs, throttled: true };
}

export interface BudgetPortal {
  portalId: number;
  plan?: PortalHubSpotPlan;
}

const MAX_CONFLICT_RETRIES = 8;

/**
 * Every HubSpot call of the platform, by any service or replica, asks here first.
 * The budget lives in Postgres (one row per portal) so it holds across services,
 * replicas and restarts; each process keeps its last-seen copy and writes with
 * compare-and-set, so a grant costs one UPDATE and a refusal usually none.
 * See docs/decisions/0008-shared-hubspot-budget.md.
 */
export class HubSpotBudget {
  private readonly cache = new Map<number, VersionedBudget>();
  private readonly plans = new Map<number, PortalHubSpotPlan>();

  constructor(
    private readonly repository: BudgetRepository,
    private readonly defaultHeadroom: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one call from the portal's pool, or says how long to wait. */
  async acquire(portal: BudgetPortal, pool: BudgetPool = 'standard'): Promise<BudgetGrant> {
    if (portal.plan) this.plans.set(portal.portalId, portal.plan);
    let outcome: BudgetGrant = { granted: false, waitMs: 0, reason: 'not tried' };
    await this.update(portal.portalId, (state, now) => {
      const taken = takeTokens(state, this.shape(portal.portalId, state), pool, now);
      outcome = taken.granted ? { granted: true } : { granted: false, waitMs: taken.waitMs, reason: taken.reason };
      // A refusal changes nothing worth sharing: skip the write.
      return taken.granted ? taken.state : undefined;
    });
    return outcome;
  }

  /**
   * Takes one call, waiting in place for it while the wait fits in `maxWaitMs`;
   * otherwise says how long the caller should come back after (it hands its work back).
   */
  async acquireWithin(portal: BudgetPortal, maxWaitMs: number, pool: BudgetPool = 'standard'): Promise<BudgetGrant> {
    const deadline = this.now() + maxWaitMs;
    for (;;) {
      const grant = await this.acquire(portal, pool);
      if (grant.granted || this.now() + grant.waitMs > deadline) return grant;
      await sleep(grant.waitMs);
    }
  }

  /**
   * Folds one HubSpot answer into the portal's budget: its X-HubSpot-RateLimit-*
   * headers, and on a 429 the wait its policy names. Returns the answer's failure
   * (classified here unless the caller already did), undefined for a success.
   */
  async learnFrom(portalId: number, answer: HubSpotCallResult, failure = answer.ok ? undefined : classifyHubSpotFailure(answer.error)): Promise<HubSpotFailureClass | undefined> {
    await this.observe(portalId, readRateLimitHeaders(answer.ok ? answer.headers : answer.error.headers));
    if (failure?.kind === 'retry' && failure.rateLimitPolicy) await this.rateLimited(portalId, failure.rateLimitPolicy, failure.retryAfterMs);
    return failure;
  }

  /** Folds the X-HubSpot-RateLimit-* headers of an answer into the portal's budget. */
  async observe(portalId: number, seen: RateLimitSnapshot): Promise<void> {
    if (Object.keys(seen).length === 0) return;
    await this.update(portalId, (state, now) => {
      const next = observeRateLimitHeaders(state, this.shape(portalId, state), seen, now);
      return sameBudget(state, next) ? undefined : next;
    });
  }

  /** HubSpot answered 429: stop calling for this portal until its policy's window allows. */
  async rateLimited(portalId: number, policy: RateLimitPolicy, intervalMs?: number): Promise<void> {
    await this.update(portalId, (state, now) => applyRateLimited(state, this.shape(portalId, state), policy, now, intervalMs));
  }

  /** The portal's budget as stored (for the admin API and tests). */
  async snapshot(portalId: number): Promise<BudgetState | undefined> {
    return (await this.repository.load(portalId))?.state;
  }

  private shape(portalId: number, state: BudgetState) {
    const plan = this.plans.get(portalId) ?? {};
    return effectiveShape(hubSpotLimitsFor(plan), plan.headroom ?? this.defaultHeadroom, state);
  }

  /** Applies `change` to the freshest state, retrying on a concurrent write by another process. */
  private async update(portalId: number, change: (state: BudgetState, nowMs: number) => BudgetState | undefined): Promise<void> {
    let current = this.cache.get(portalId) ?? (await this.loadOrCreate(portalId));
    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      const next = change(current.state, this.now());
      if (next === undefined) return;
      const version = await this.repository.compareAndSet(portalId, current.version, next);
      if (version !== undefined) {
        this.cache.set(portalId, { state: next, version });
        return;
      }
      current = await this.loadOrCreate(portalId);
      this.cache.set(portalId, current);
    }
    throw new Error(`HubSpot budget of portal ${portalId}: too many concurrent updates`);
  }

  private async loadOrCreate(portalId: number): Promise<VersionedBudget> {
    const stored = await this.repository.load(portalId);
    if (stored) return stored;
    const plan = this.plans.get(portalId) ?? {};
    return this.repository.create(portalId, initialBudgetState(effectiveShape(hubSpotLimitsFor(plan), plan.headroom ?? this.defaultHeadroom, undefined), this.now()));
  }
}

function sameBudget(a: BudgetState, b: BudgetState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
