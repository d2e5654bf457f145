import { PortalRateLimiter, defaultLimits } from './rate-limiter';

describe('PortalRateLimiter', () => {
  it('allows perTenSeconds calls in any rolling 10 s window and reports the remaining budget', () => {
    const limiter = new PortalRateLimiter({ perTenSeconds: 3, daily: 100 }, 5);
    const remaining = [0, 1000, 2000].map((t) => {
      const d = limiter.tryConsume(t);
      expect(d.allowed).toBe(true);
      return d.headers['X-HubSpot-RateLimit-Remaining'];
    });
    expect(remaining).toEqual(['2', '1', '0']);
    const denied = limiter.tryConsume(9_999);
    expect(denied).toMatchObject({ allowed: false, policy: 'TEN_SECONDLY_ROLLING' });
    expect(denied.headers['X-HubSpot-RateLimit-Remaining']).toBe('0');
    // Rolling: the call at t=0 leaves the window at t=10 000, the one at 1 000 at 11 000.
    expect(limiter.tryConsume(10_000).allowed).toBe(true);
    expect(limiter.tryConsume(10_500).allowed).toBe(false);
    expect(limiter.tryConsume(11_000).allowed).toBe(true);
  });

  it('does not let rejected calls consume budget', () => {
    const limiter = new PortalRateLimiter({ perTenSeconds: 1, daily: 100 }, 5);
    expect(limiter.tryConsume(0).allowed).toBe(true);
    for (let t = 1; t < 50; t += 1) expect(limiter.tryConsume(t).allowed).toBe(false);
    expect(limiter.dailyCount(50)).toBe(1);
    expect(limiter.tryConsume(10_000).allowed).toBe(true);
  });

  it('enforces the daily limit per UTC day with DAILY policy and daily headers', () => {
    const day = 86_400_000;
    const limiter = new PortalRateLimiter({ perTenSeconds: 100, daily: 2 }, 5);
    expect(limiter.tryConsume(day + 1).headers['X-HubSpot-RateLimit-Daily-Remaining']).toBe('1');
    expect(limiter.tryConsume(day + 2).headers).toMatchObject({ 'X-HubSpot-RateLimit-Daily': '2', 'X-HubSpot-RateLimit-Daily-Remaining': '0' });
    expect(limiter.tryConsume(day + 20_000)).toMatchObject({ allowed: false, policy: 'DAILY' });
    expect(limiter.tryConsume(2 * day).allowed).toBe(true);
  });

  it('limits search separately per rolling second, without headers, counting against the day', () => {
    const limiter = new PortalRateLimiter({ perTenSeconds: 1, daily: 100 }, 5);
    for (let i = 0; i < 5; i += 1) expect(limiter.tryConsumeSearch(i * 10)).toEqual({ allowed: true, headers: {} });
    expect(limiter.tryConsumeSearch(999)).toEqual({ allowed: false, policy: 'SECONDLY', headers: {} });
    expect(limiter.tryConsumeSearch(1000).allowed).toBe(true);
    expect(limiter.tryConsume(1000).allowed).toBe(true);
    expect(limiter.dailyCount(1000)).toBe(7);
  });

  it('sends no daily headers for public apps', () => {
    const limits = defaultLimits('enterprise', 'public');
    expect(limits).toEqual({ perTenSeconds: 110, daily: null });
    const headers = new PortalRateLimiter(limits, 5).tryConsume(0).headers;
    expect(headers).toEqual({
      'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
      'X-HubSpot-RateLimit-Max': '110',
      'X-HubSpot-RateLimit-Remaining': '109',
    });
  });

  it('uses HubSpot published private-app limits per tier', () => {
    expect(defaultLimits('starter', 'private')).toEqual({ perTenSeconds: 100, daily: 250_000 });
    expect(defaultLimits('professional', 'private')).toEqual({ perTenSeconds: 190, daily: 625_000 });
    expect(defaultLimits('enterprise', 'private')).toEqual({ perTenSeconds: 190, daily: 1_000_000 });
  });
});
