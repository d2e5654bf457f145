import { budgetShape, hubSpotLimitsFor, TEN_SECONDS_MS } from './api-limits';
import { applyRateLimited, effectiveShape, initialBudgetState, observeRateLimitHeaders, takeTokens, type BudgetState } from './token-bucket';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

/** Takes greedily every `stepMs` for `durationMs`; returns the grant times. */
function drain(shape: ReturnType<typeof budgetShape>, durationMs: number, stepMs = 1): number[] {
  let state = initialBudgetState(shape, T0);
  const grants: number[] = [];
  for (let t = T0; t < T0 + durationMs; t += stepMs) {
    const taken = takeTokens(state, shape, 'standard', t);
    state = taken.state;
    if (taken.granted) grants.push(t);
  }
  return grants;
}

describe('HubSpot limits by plan', () => {
  it('follows the published figures', () => {
    expect(hubSpotLimitsFor()).toEqual({ perTenSeconds: 100, daily: 250_000, searchPerSecond: 5 });
    expect(hubSpotLimitsFor({ tier: 'professional' })).toMatchObject({ perTenSeconds: 190, daily: 625_000 });
    expect(hubSpotLimitsFor({ tier: 'enterprise' })).toMatchObject({ perTenSeconds: 190, daily: 1_000_000 });
    expect(hubSpotLimitsFor({ tier: 'enterprise', apiLimitIncrease: true })).toMatchObject({ perTenSeconds: 250, daily: 2_000_000 });
    expect(hubSpotLimitsFor({ appType: 'public', tier: 'enterprise' })).toEqual({ perTenSeconds: 110, daily: null, searchPerSecond: 5 });
  });

  it('keeps the headroom for the client’s other integrations', () => {
    const shape = budgetShape(hubSpotLimitsFor({ tier: 'starter' }), 0.1);
    expect(shape.standard.limit).toBe(90);
    expect(shape.daily).toBe(225_000);
    expect(shape.search.limit).toBe(4);
  });
});

describe('token bucket', () => {
  const shape = budgetShape(hubSpotLimitsFor({ tier: 'starter' }), 0.1);

  it('never admits more than the limit in any rolling 10-second window, and uses at least 90% of it', () => {
    const grants = drain(shape, 60_000);
    let maxInWindow = 0;
    for (let i = 0, j = 0; i < grants.length; i++) {
      while ((grants[j] as number) <= (grants[i] as number) - TEN_SECONDS_MS) j++;
      maxInWindow = Math.max(maxInWindow, i - j + 1);
    }
    expect(maxInWindow).toBeLessThanOrEqual(shape.standard.limit);
    expect(grants.length / 6).toBeGreaterThanOrEqual(0.9 * shape.standard.limit);
  });

  it('says how long to wait when empty', () => {
    let state = initialBudgetState(shape, T0);
    for (let i = 0; i < shape.standard.capacity; i++) state = takeTokens(state, shape, 'standard', T0).state;
    const refused = takeTokens(state, shape, 'standard', T0);
    expect(refused).toMatchObject({ granted: false, waitMs: Math.ceil(1 / shape.standard.refillPerMs) });
    expect(takeTokens(refused.state, shape, 'standard', T0 + (refused.granted ? 0 : refused.waitMs)).granted).toBe(true);
  });

  it('counts the day and refuses once the daily budget is spent, until the next UTC day', () => {
    const small = { ...shape, daily: 3 };
    let state = initialBudgetState(small, T0);
    for (let i = 0; i < 3; i++) {
      const taken = takeTokens(state, small, 'standard', T0 + i * 1000);
      expect(taken.granted).toBe(true);
      state = taken.state;
    }
    expect(state.dayCount).toBe(3);
    expect(takeTokens(state, small, 'standard', T0 + 5000)).toMatchObject({ granted: false, reason: 'daily budget of 3 calls spent' });
    const tomorrow = Date.UTC(2026, 10, 29, 0, 0, 1);
    const next = takeTokens(state, small, 'standard', tomorrow);
    expect(next.granted).toBe(true);
    expect(next.state).toMatchObject({ day: '2026-11-29', dayCount: 1 });
  });

  it('search has its own per-second pool but counts against the day', () => {
    let state = initialBudgetState(shape, T0);
    state = takeTokens(state, shape, 'search', T0).state;
    expect(takeTokens(state, shape, 'search', T0).granted).toBe(false);
    expect(takeTokens(state, shape, 'standard', T0).granted).toBe(true);
    expect(state.dayCount).toBe(1);
  });
});

describe('listening to HubSpot', () => {
  const limits = hubSpotLimitsFor({ tier: 'starter' });
  const shape = budgetShape(limits, 0.1);
  const full = (): BudgetState => initialBudgetState(shape, T0);

  it('shrinks the bucket when other integrations used the window', () => {
    const seen = observeRateLimitHeaders(full(), shape, { max: 100, remaining: 12, intervalMs: 10_000 }, T0);
    // 12 left in HubSpot's window, 10 of which are the other integrations' headroom.
    expect(seen.standard.tokens).toBe(2);
    expect(observeRateLimitHeaders(full(), shape, { max: 100, remaining: 99 }, T0).standard.tokens).toBe(shape.standard.capacity);
  });

  it('adopts the limits HubSpot reports when they differ from the configured plan', () => {
    const seen = observeRateLimitHeaders(full(), shape, { max: 190, remaining: 189, daily: 625_000, dailyRemaining: 600_000 }, T0);
    expect(seen.dayCount).toBe(25_000);
    const adapted = effectiveShape(limits, 0.1, seen);
    expect(adapted.standard.limit).toBe(171);
    expect(adapted.daily).toBe(562_500);
  });

  it('a ten-secondly 429 blocks the standard pool for the interval', () => {
    const state = applyRateLimited(full(), shape, 'TEN_SECONDLY_ROLLING', T0, 10_000);
    expect(takeTokens(state, shape, 'standard', T0 + 9_999)).toMatchObject({ granted: false, waitMs: 1 });
    expect(takeTokens(state, shape, 'search', T0 + 1).granted).toBe(true);
    expect(takeTokens(state, shape, 'standard', T0 + 10_000 + 1 / shape.standard.refillPerMs).granted).toBe(true);
  });

  it('a daily 429 blocks until the day rolls over (probing at most hourly)', () => {
    const lateEvening = Date.UTC(2026, 10, 28, 23, 30);
    const state = applyRateLimited(initialBudgetState(shape, lateEvening), shape, 'DAILY', lateEvening);
    expect(takeTokens(state, shape, 'standard', lateEvening + 29 * 60_000).granted).toBe(false);
    expect(takeTokens(state, shape, 'standard', Date.UTC(2026, 10, 29, 0, 0, 1)).granted).toBe(true);
    const morning = applyRateLimited(full(), shape, 'DAILY', T0);
    expect(takeTokens(morning, shape, 'standard', T0 + 1)).toMatchObject({ granted: false, waitMs: 60 * 60_000 - 1 });
    // An hour later one call probes whether the account's day (its own time zone) has reset.
    expect(takeTokens(morning, shape, 'standard', T0 + 60 * 60_000).granted).toBe(true);
  });

  it('takes HubSpot’s daily count over its own, down as well as up, once they differ by more than a few calls', () => {
    const spent = { ...full(), dayCount: 200_000 };
    expect(observeRateLimitHeaders(spent, shape, { daily: 250_000, dailyRemaining: 249_000 }, T0).dayCount).toBe(1_000);
    // Off by less than 0.1% of the limit: the state is left as it is, so nothing needs writing.
    const close = { ...full(), dayCount: 1_000, observedDaily: 250_000 };
    expect(observeRateLimitHeaders(close, shape, { daily: 250_000, dailyRemaining: 248_800 }, T0)).toEqual(close);
    expect(observeRateLimitHeaders(close, shape, { daily: 250_000, dailyRemaining: 248_700 }, T0).dayCount).toBe(1_300);
  });

  it('a secondly 429 blocks only search', () => {
    const state = applyRateLimited(full(), shape, 'SECONDLY', T0);
    expect(takeTokens(state, shape, 'search', T0 + 500).granted).toBe(false);
    expect(takeTokens(state, shape, 'standard', T0 + 500).granted).toBe(true);
  });
});
