/**
 * The public edge's pure parts (issue 14, items 2 and 6): the per-source limit on
 * failed authentications and its log sampling (bounded memory), the source key,
 * the exact content type, the JSON depth limit and the EDGE_* settings.
 */
import { ConfigError, loadConfig } from '@app/common';
import { parseJsonBody } from '../webhooks/incoming-webhook';
import { AuthFailureLimiter, sourceOf } from './auth-failure-limiter';
import { jsonNestingExceeds, MAX_JSON_DEPTH } from './json-depth';

const ENV = { HUBSPOT_CLIENT_SECRET: 'secret-secret', ADMIN_API_KEY: 'admin-key-0123456789', TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') };

describe('AuthFailureLimiter', () => {
  let now = 1_000_000;
  const clock = () => now;
  const limiter = (options: Partial<ConstructorParameters<typeof AuthFailureLimiter>[0]> = {}) =>
    new AuthFailureLimiter({ failuresPerWindow: 3, windowMs: 60_000, maxSources: 100, logsPerSource: 3, logsPerWindow: 5, ...options }, clock);

  it('refuses a source after the limit until its window ends, with the seconds left as Retry-After', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) {
      expect(l.check('1.2.3.4')).toEqual({ allowed: true });
      l.recordFailure('1.2.3.4');
    }
    now += 15_000;
    expect(l.check('1.2.3.4')).toMatchObject({ allowed: false, retryAfterSeconds: 45 });
    expect(l.check('5.6.7.8')).toEqual({ allowed: true });
    now += 45_000;
    expect(l.check('1.2.3.4')).toEqual({ allowed: true });
  });

  it('never refuses when the limit is 0 (off)', () => {
    const l = limiter({ failuresPerWindow: 0 });
    for (let i = 0; i < 100; i++) l.recordFailure('1.2.3.4');
    expect(l.check('1.2.3.4')).toEqual({ allowed: true });
  });

  it('tracks at most maxSources sources (memory stays bounded under many addresses)', () => {
    const l = limiter();
    for (let i = 0; i < 10_000; i++) l.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    expect(l.trackedSources()).toBeLessThanOrEqual(100);
  });

  it('logs the first failures of a source per window and one throttling notice, then one summary; and caps the lines per window overall', () => {
    const l = limiter();
    const logged = Array.from({ length: 10 }, () => l.recordFailure('1.2.3.4').log);
    expect(logged).toEqual([true, true, false, false, false, false, false, false, false, false]);
    expect(l.check('1.2.3.4')).toMatchObject({ allowed: false, logThrottle: true });
    expect(l.check('1.2.3.4')).toMatchObject({ allowed: false, logThrottle: false });
    for (let i = 0; i < 10; i++) l.recordFailure(`9.9.9.${i}`);
    now += 60_001;
    const summary = l.sweep();
    // 1.2.3.4: 8 failures and 1 refusal unlogged; of 10 others, 2 fit the overall cap of 5.
    expect(summary.suppressed).toBe(9 + 8);
    expect(summary.sources).toBe(9);
    expect(summary.top[0]).toEqual({ source: '1.2.3.4', suppressed: 9 });
    expect(l.trackedSources()).toBe(0);
    expect(l.sweep().suppressed).toBe(0);
  });
});

describe('sourceOf', () => {
  it('is the remote address, IPv4-mapped addresses unwrapped, IPv6 grouped by /64', () => {
    expect(sourceOf('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(sourceOf('192.0.2.7')).toBe('192.0.2.7');
    expect(sourceOf('2001:db8:1:2:3:4:5:6')).toBe(sourceOf('2001:db8:1:2:ffff::1'));
    expect(sourceOf('2001:db8:1:2::1')).not.toBe(sourceOf('2001:db8:1:3::1'));
    expect(sourceOf('::1')).toBe('::1');
    expect(sourceOf(undefined)).toBe('unknown');
  });
});

describe('JSON depth', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  it('counts nesting outside strings only', () => {
    expect(jsonNestingExceeds(Buffer.from(deep(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonNestingExceeds(Buffer.from(deep(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonNestingExceeds(Buffer.from(JSON.stringify({ a: '[[[[[[[[[[\\"[[[[' })), 3)).toBe(false);
    expect(jsonNestingExceeds(Buffer.from(JSON.stringify({ a: ['\\', [{ b: '"{{{{' }]] })), 4)).toBe(false);
    expect(jsonNestingExceeds(Buffer.from(JSON.stringify({ a: ['\\', [{ b: [1] }]] })), 4)).toBe(true);
  });

  it('answers 400 before parsing a body nested deeper than the limit', () => {
    const result = parseJsonBody({ contentType: 'application/json', rawBody: Buffer.from(`[${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}]`) });
    expect(result).toMatchObject({ ok: false, response: { status: 400 } });
    expect(parseJsonBody({ contentType: 'application/json', rawBody: Buffer.from(deep(MAX_JSON_DEPTH)) })).toMatchObject({ ok: true });
  });
});

describe('content type', () => {
  const check = (contentType: string | undefined) => {
    const result = parseJsonBody({ contentType, rawBody: Buffer.from('[]') });
    return result.ok ? 200 : result.response.status;
  };
  it('is exactly application/json, case-insensitive, with optional parameters (charset utf-8 only)', () => {
    expect(check('application/json')).toBe(200);
    expect(check('Application/JSON')).toBe(200);
    expect(check('application/json; charset=utf-8')).toBe(200);
    expect(check('application/json;charset="UTF-8"')).toBe(200);
    expect(check('application/jsonx')).toBe(415);
    expect(check('application/json-patch+json')).toBe(415);
    expect(check('application/json;x')).toBe(415);
    expect(check('application/json; charset=iso-8859-1')).toBe(415);
    expect(check('text/plain; application/json')).toBe(415);
    expect(check(undefined)).toBe(415);
  });
});

describe('EDGE_* settings', () => {
  it('have safe defaults', () => {
    const config = loadConfig(ENV, 'ingest');
    expect(config).toMatchObject({
      edgeHeadersTimeoutMs: 10_000,
      edgeBodyTimeoutMs: 30_000,
      edgeMaxConnections: 512,
      edgeMaxBufferedBodyBytes: 32 * 1024 * 1024,
      edgeAuthFailuresPerMinute: 20,
    });
    expect(config.metricsApiKey).toBeUndefined();
  });

  it('refuse timeouts beyond the policy (headers 10 s, body 30 s) and nonsense values', () => {
    const problems = (extra: Record<string, string>) => {
      try {
        loadConfig({ ...ENV, ...extra }, 'ingest');
        return '';
      } catch (error) {
        return (error as ConfigError).message;
      }
    };
    expect(problems({ EDGE_HEADERS_TIMEOUT_MS: '60000' })).toContain('EDGE_HEADERS_TIMEOUT_MS');
    expect(problems({ EDGE_BODY_TIMEOUT_MS: '300000' })).toContain('EDGE_BODY_TIMEOUT_MS');
    expect(problems({ EDGE_MAX_CONNECTIONS: '0' })).toContain('EDGE_MAX_CONNECTIONS');
    expect(problems({ EDGE_MAX_BUFFERED_BODY_BYTES: '1000' })).toContain('EDGE_MAX_BUFFERED_BODY_BYTES');
    expect(problems({ EDGE_AUTH_FAILURES_PER_MINUTE: '-1' })).toContain('EDGE_AUTH_FAILURES_PER_MINUTE');
    expect(problems({ METRICS_API_KEY: 'short' })).toContain('METRICS_API_KEY');
    expect(problems({ EDGE_AUTH_FAILURES_PER_MINUTE: '0' })).toBe('');
  });
});
