import { classifyHubSpotFailure, readRateLimitHeaders } from './hubspot-errors';

describe('classifyHubSpotFailure', () => {
  it('retries 5xx and network errors', () => {
    expect(classifyHubSpotFailure({ code: 503, body: { message: 'down' } })).toMatchObject({ kind: 'retry' });
    expect(classifyHubSpotFailure({ message: 'ECONNREFUSED' })).toMatchObject({ kind: 'retry', reason: expect.stringContaining('ECONNREFUSED') });
    // The SDK passes node-fetch's FetchError through: its code is a string, not a status.
    expect(classifyHubSpotFailure({ code: 'ECONNRESET', message: 'request to https://api.hubapi.com failed, reason: socket hang up' })).toMatchObject({ kind: 'retry' });
  });

  it('waits a rolling window after a ten-secondly 429, and leaves a daily 429 to the caller', () => {
    const headers = { 'x-hubspot-ratelimit-interval-milliseconds': '10000' };
    expect(classifyHubSpotFailure({ code: 429, headers, body: { policyName: 'TEN_SECONDLY_ROLLING', message: 'You have reached your ten_secondly_rolling limit.' } })).toEqual({
      kind: 'retry',
      reason: '429 rate limited: You have reached your ten_secondly_rolling limit.',
      retryAfterMs: 10000,
      rateLimitPolicy: 'TEN_SECONDLY_ROLLING',
      throttled: true,
    });
    expect(classifyHubSpotFailure({ code: 429, body: { policyName: 'DAILY' } })).toMatchObject({ kind: 'retry', retryAfterMs: undefined, rateLimitPolicy: 'DAILY', throttled: true });
    // A 5xx is a failure, not a rate limit: its retries use up attempts.
    expect(classifyHubSpotFailure({ code: 502, body: { message: 'Bad Gateway' } })).not.toHaveProperty('throttled');
  });

  it('separates deleted objects, rejected input and revoked tokens', () => {
    expect(classifyHubSpotFailure({ code: 404 }).kind).toBe('not-found');
    expect(classifyHubSpotFailure({ code: 400, body: { message: 'Property values were not valid' } })).toEqual({ kind: 'rejected', reason: 'HubSpot 400: Property values were not valid' });
    expect(classifyHubSpotFailure({ code: 401 }).kind).toBe('unauthorized');
    expect(classifyHubSpotFailure({ code: 403 }).kind).toBe('unauthorized');
  });
});

describe('readRateLimitHeaders', () => {
  it('reads the headers in any case and omits absent ones', () => {
    expect(readRateLimitHeaders({ 'X-HubSpot-RateLimit-Max': '190', 'x-hubspot-ratelimit-remaining': '180', 'x-hubspot-ratelimit-daily-remaining': 'n/a' })).toEqual({ max: 190, remaining: 180 });
  });
});
