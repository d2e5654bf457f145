import type { RateLimitSnapshot } from '../../events/event-types';
import { budgetShape, type ApiLimits, type BudgetPool, type BudgetShape, type BucketShape } from './api-limits';

/**
 * A portal's HubSpot budget as it is persisted: one bucket per pool, the calls
 * counted against today's limit, and what HubSpot's own headers last said.
 * Every function here is pure: state and time in, new state out.
 */
export interface BucketState {
  tokens: number;
  refilledAtMs: number;
  /** HubSpot answered 429: no call before this instant. */
  blockedUntilMs: number;
}

export interface BudgetState {
  standard: BucketState;
  search: BucketState;
  /** UTC day (YYYY-MM-DD) the count belongs to. */
  day: string;
  dayCount: number;
  /** X-HubSpot-RateLimit-Max as last seen: the real 10-second limit if it differs from the plan. */
  observedMax?: number;
  /** X-HubSpot-RateLimit-Daily as last seen. */
  observedDaily?: number;
}

export type TakeResult =
  | { granted: true; state: BudgetState }
  | { granted: false; state: BudgetState; waitMs: number; reason: string };

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY' | string;

/** A daily 429 blocks until the next UTC midnight, but at most this long before one probing call. */
export const DAILY_BLOCK_PROBE_MS = 60 * 60_000;

export function initialBudgetState(shape: BudgetShape, nowMs: number): BudgetState {
  return {
    standard: { tokens: shape.standard.capacity, refilledAtMs: nowMs, blockedUntilMs: 0 },
    search: { tokens: shape.search.capacity, refilledAtMs: nowMs, blockedUntilMs: 0 },
    day: utcDay(nowMs),
    dayCount: 0,
  };
}

/** Takes `n` calls' worth from a pool, or says how long to wait and why. */
export function takeTokens(state: BudgetState, shape: BudgetShape, pool: BudgetPool, nowMs: number, n = 1): TakeResult {
  const rolled = rollDay(state, nowMs);
  const bucket = refill(rolled[pool], shape[pool], nowMs);
  const next: BudgetState = { ...rolled, [pool]: bucket };
  if (bucket.blockedUntilMs > nowMs) {
    return { granted: false, state: next, waitMs: bucket.blockedUntilMs - nowMs, reason: 'HubSpot answered 429; waiting for its window' };
  }
  const daily = shape.daily;
  if (daily !== null && next.dayCount + n > daily) {
    return { granted: false, state: next, waitMs: Math.min(msUntilNextUtcDay(nowMs), DAILY_BLOCK_PROBE_MS), reason: `daily budget of ${daily} calls spent` };
  }
  if (bucket.tokens >= n) {
    return { granted: true, state: { ...next, [pool]: { ...bucket, tokens: bucket.tokens - n }, dayCount: next.dayCount + n } };
  }
  const waitMs = Math.max(1, Math.ceil((n - bucket.tokens) / shape[pool].refillPerMs));
  return { granted: false, state: next, waitMs, reason: `${pool} budget of ${shape[pool].limit} calls per ${shape[pool].windowMs / 1000} s in use` };
}

/**
 * Folds HubSpot's rate-limit headers into the state. HubSpot's `Remaining` covers
 * every app of the account: when other integrations eat into the window, the
 * bucket shrinks to what is left after the headroom; `Daily-Remaining` does the
 * same for the day.
 */
export function observeRateLimitHeaders(state: BudgetState, shape: BudgetShape, seen: RateLimitSnapshot, nowMs: number): BudgetState {
  let next = rollDay(state, nowMs);
  if (seen.max !== undefined) next = { ...next, observedMax: seen.max };
  if (seen.max !== undefined && seen.remaining !== undefined) {
    const reserved = Math.max(0, seen.max - shape.standard.limit);
    const allowed = Math.max(0, seen.remaining - reserved);
    const bucket = refill(next.standard, shape.standard, nowMs);
    if (allowed < bucket.tokens) next = { ...next, standard: { ...bucket, tokens: allowed } };
  }
  if (seen.daily !== undefined) next = { ...next, observedDaily: seen.daily };
  // HubSpot's own count wins (its day may follow the account's time zone, not UTC), once it
  // differs enough to matter: a difference of a few calls (other integrations of the portal)
  // is not worth a shared write after every call.
  if (seen.daily !== undefined && seen.dailyRemaining !== undefined) {
    const hubspotCount = seen.daily - seen.dailyRemaining;
    if (Math.abs(hubspotCount - next.dayCount) >= dayCountTolerance(seen.daily)) next = { ...next, dayCount: hubspotCount };
  }
  return next;
}

/** How far the platform's daily count may drift from HubSpot's before it is corrected: 0.1% of the limit, at least 10 calls. */
export function dayCountTolerance(dailyLimit: number): number {
  return Math.max(10, Math.floor(dailyLimit / 1000));
}

/** A 429: empty the pool the policy names and block it until HubSpot's window allows. */
export function applyRateLimited(state: BudgetState, shape: BudgetShape, policy: RateLimitPolicy, nowMs: number, intervalMs?: number): BudgetState {
  const next = rollDay(state, nowMs);
  if (/DAILY/i.test(policy)) {
    // Only a block: the account's day may reset at another hour than UTC midnight, so probe at most hourly.
    const until = nowMs + Math.min(msUntilNextUtcDay(nowMs), DAILY_BLOCK_PROBE_MS);
    return { ...next, standard: { ...next.standard, tokens: 0, refilledAtMs: nowMs, blockedUntilMs: until } };
  }
  if (/SECONDLY/i.test(policy) && !/TEN/i.test(policy)) {
    return { ...next, search: { tokens: 0, refilledAtMs: nowMs, blockedUntilMs: nowMs + (intervalMs ?? shape.search.windowMs) } };
  }
  return { ...next, standard: { tokens: 0, refilledAtMs: nowMs, blockedUntilMs: nowMs + (intervalMs ?? shape.standard.windowMs) } };
}

/**
 * The budget that applies now: the plan's limits, replaced by what HubSpot's own
 * headers last reported (a portal on a bigger tier than configured, or an account
 * whose limits changed).
 */
export function effectiveShape(limits: ApiLimits, headroom: number, state: BudgetState | undefined): BudgetShape {
  return budgetShape(
    {
      ...limits,
      perTenSeconds: state?.observedMax ?? limits.perTenSeconds,
      daily: limits.daily === null ? null : (state?.observedDaily ?? limits.daily),
    },
    headroom,
  );
}

function refill(bucket: BucketState, shape: BucketShape, nowMs: number): BucketState {
  const elapsed = Math.max(0, nowMs - bucket.refilledAtMs);
  return { ...bucket, tokens: Math.min(shape.capacity, bucket.tokens + elapsed * shape.refillPerMs), refilledAtMs: Math.max(nowMs, bucket.refilledAtMs) };
}

function rollDay(state: BudgetState, nowMs: number): BudgetState {
  const day = utcDay(nowMs);
  return day === state.day ? state : { ...state, day, dayCount: 0 };
}

export function utcDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

function msUntilNextUtcDay(nowMs: number): number {
  const d = new Date(nowMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - nowMs;
}
