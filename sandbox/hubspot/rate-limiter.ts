import type { RateLimitPolicy } from './hubspot-errors.factory';
import type { RateLimits } from './hubspot.types';
import { utcDayStart } from './instant-format.util';

export const TEN_SECONDS_MS = 10_000;
const ONE_SECOND_MS = 1_000;

export type LimitDecision = { allowed: true; headers: Record<string, string> } | { allowed: false; policy: RateLimitPolicy; headers: Record<string, string> };

/** Timestamps of accepted requests inside a rolling window. */
export class RollingWindow {
  private readonly stamps: number[] = [];

  constructor(private readonly windowMs: number) {}

  count(now: number): number {
    while (this.stamps.length > 0 && (this.stamps[0] ?? 0) <= now - this.windowMs) this.stamps.shift();
    return this.stamps.length;
  }

  add(now: number): void {
    this.stamps.push(now);
  }
}

/**
 * One portal's API limits: a rolling 10-second window and a per-UTC-day counter for ordinary calls (with the
 * `X-HubSpot-RateLimit-*` headers), and a separate rolling one-second window for CRM search (no headers).
 * A rejected request consumes nothing.
 */
export class PortalRateLimiter {
  private readonly tenSecond = new RollingWindow(TEN_SECONDS_MS);
  private readonly search = new RollingWindow(ONE_SECOND_MS);
  private day = -1;
  private dailyUsed = 0;

  constructor(
    private readonly limits: RateLimits,
    private readonly searchPerSecond: number,
  ) {}

  /** For every API call except search. */
  tryConsume(now: number): LimitDecision {
    this.rollDay(now);
    const used = this.tenSecond.count(now);
    if (this.limits.daily !== null && this.dailyUsed >= this.limits.daily) {
      return { allowed: false, policy: 'DAILY', headers: this.headers(used) };
    }
    if (used >= this.limits.perTenSeconds) {
      return { allowed: false, policy: 'TEN_SECONDLY_ROLLING', headers: this.headers(used) };
    }
    this.tenSecond.add(now);
    this.dailyUsed += 1;
    return { allowed: true, headers: this.headers(used + 1) };
  }

  /** For the CRM search endpoints: their own per-second limit, still counted against the daily limit. */
  tryConsumeSearch(now: number): LimitDecision {
    this.rollDay(now);
    if (this.limits.daily !== null && this.dailyUsed >= this.limits.daily) {
      return { allowed: false, policy: 'DAILY', headers: {} };
    }
    if (this.search.count(now) >= this.searchPerSecond) return { allowed: false, policy: 'SECONDLY', headers: {} };
    this.search.add(now);
    this.dailyUsed += 1;
    return { allowed: true, headers: {} };
  }

  dailyCount(now: number): number {
    this.rollDay(now);
    return this.dailyUsed;
  }

  private rollDay(now: number): void {
    const day = utcDayStart(now);
    if (day !== this.day) {
      this.day = day;
      this.dailyUsed = 0;
    }
  }

  private headers(usedInWindow: number): Record<string, string> {
    const headers: Record<string, string> = {
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(TEN_SECONDS_MS),
      'X-HubSpot-RateLimit-Max': String(this.limits.perTenSeconds),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, this.limits.perTenSeconds - usedInWindow)),
    };
    if (this.limits.daily !== null) {
      headers['X-HubSpot-RateLimit-Daily'] = String(this.limits.daily);
      headers['X-HubSpot-RateLimit-Daily-Remaining'] = String(Math.max(0, this.limits.daily - this.dailyUsed));
    }
    return headers;
  }
}

/** HubSpot's published defaults: private apps by tier, public OAuth apps 110 per 10 s and no daily limit. */
export function defaultLimits(tier: 'starter' | 'professional' | 'enterprise', appType: 'private' | 'public'): RateLimits {
  if (appType === 'public') return { perTenSeconds: 110, daily: null };
  switch (tier) {
    case 'starter':
      return { perTenSeconds: 100, daily: 250_000 };
    case 'professional':
      return { perTenSeconds: 190, daily: 625_000 };
    case 'enterprise':
      return { perTenSeconds: 190, daily: 1_000_000 };
  }
}
