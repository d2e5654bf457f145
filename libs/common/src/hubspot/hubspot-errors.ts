import type { RateLimitSnapshot } from '../events/event-types';
import { isPlainObject } from '../util/json';

/** How the platform treats a HubSpot failure. Pure: status and body in, decision out. */
export type HubSpotFailureClass =
  /**
   * `rateLimitPolicy` is set on a 429: the policy its body names, for the portal's budget.
   * `throttled`: a rate limit (a 429, or the portal's own budget), to be waited for rather than counted as a failure.
   */
  | { kind: 'retry'; reason: string; retryAfterMs?: number; rateLimitPolicy?: string; throttled?: true }
  | { kind: 'not-found'; reason: string }
  | { kind: 'rejected'; reason: string }
  /** 401: the token is invalid, expired or revoked; 403: it lacks a scope for this call. */
  | { kind: 'unauthorized'; reason: string; status: 401 | 403 };

export interface HubSpotErrorLike {
  code?: number | string;
  body?: unknown;
  headers?: Record<string, string>;
  message?: string;
}

export function classifyHubSpotFailure(error: HubSpotErrorLike): HubSpotFailureClass {
  const status = error.code;
  const message = hubSpotMessage(error);
  // node-fetch's FetchError carries a string code (ECONNRESET, ETIMEDOUT): no HTTP answer, so retry.
  if (typeof status !== 'number' || status === 0) return { kind: 'retry', reason: `network error: ${error.message ?? 'no response'}` };
  if (status === 429) {
    const named = (error.body as { policyName?: unknown } | undefined)?.policyName;
    const rateLimitPolicy = typeof named === 'string' ? named : 'TEN_SECONDLY_ROLLING';
    const daily = /DAILY/i.test(rateLimitPolicy);
    return { kind: 'retry', reason: `429 rate limited: ${message}`, retryAfterMs: daily ? undefined : rateLimitWaitMs(error.headers), rateLimitPolicy, throttled: true };
  }
  if (status >= 500 || status === 408) return { kind: 'retry', reason: `HubSpot ${status}: ${message}` };
  if (status === 404) return { kind: 'not-found', reason: `HubSpot 404: ${message}` };
  if (status === 401 || status === 403) return { kind: 'unauthorized', reason: `HubSpot ${status}: ${message}`, status };
  return { kind: 'rejected', reason: `HubSpot ${status}: ${message}` };
}

export function hubSpotMessage(error: HubSpotErrorLike): string {
  const body = error.body;
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  if (typeof body === 'string' && body.length > 0) return body.slice(0, 500);
  return error.message ?? 'unknown error';
}

/** Reads HubSpot's X-HubSpot-RateLimit-* headers (any case). */
export function readRateLimitHeaders(headers: Record<string, string> | undefined): RateLimitSnapshot {
  const get = (name: string): number | undefined => {
    if (!headers) return undefined;
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    const value = key === undefined ? undefined : Number(headers[key]);
    return value === undefined || Number.isNaN(value) ? undefined : value;
  };
  const snapshot: RateLimitSnapshot = {
    max: get('x-hubspot-ratelimit-max'),
    remaining: get('x-hubspot-ratelimit-remaining'),
    intervalMs: get('x-hubspot-ratelimit-interval-milliseconds'),
    daily: get('x-hubspot-ratelimit-daily'),
    dailyRemaining: get('x-hubspot-ratelimit-daily-remaining'),
  };
  return Object.fromEntries(Object.entries(snapshot).filter(([, v]) => v !== undefined)) as RateLimitSnapshot;
}

/** HubSpot's 10-second window is rolling; waiting one interval is always enough. */
function rateLimitWaitMs(headers: Record<string, string> | undefined): number {
  return readRateLimitHeaders(headers).intervalMs ?? 10_000;
}

/** The scopes a MISSING_SCOPES answer names (`errors[].context.requiredGranularScopes`, alternatives joined by "or"); [] for any other answer. */
export function scopesNamedIn(body: unknown): string[] {
  if (!isPlainObject(body) || body.category !== 'MISSING_SCOPES' || !Array.isArray(body.errors)) return [];
  const named = body.errors.flatMap((e) => {
    const scopes = isPlainObject(e) && isPlainObject(e.context) ? e.context.requiredGranularScopes : undefined;
    return Array.isArray(scopes) ? [scopes.filter((s): s is string => typeof s === 'string').join(' or ')] : [];
  });
  return [...new Set(named.filter(Boolean))];
}
