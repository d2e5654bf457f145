import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig, CLOCK, Logger, type Clock } from '@app/common';
import { IngestMetrics } from '../metrics/ingest-metrics';
import { BodyBudget, MAX_WEBHOOK_BODY_BYTES, type BodyReadOptions } from '../webhooks/raw-body';
import { UNAUTHORIZED_MESSAGE } from '../webhooks/unauthorized';
import { AuthFailureLimiter, DEFAULT_AUTH_FAILURE_LIMITS, sourceOf } from './auth-failure-limiter';

export type EdgeRoute = 'app' | 'workflow';
/** The routes whose failed authentications count against their source: the webhook routes and the OAuth callback (its state is its credential). */
type GuardedRoute = EdgeRoute | 'oauth-callback';

/** Headers that make a webhook request worth reading: HubSpot's signatures, or the per-portal key (workflow route). */
const CREDENTIAL_HEADERS: Record<EdgeRoute, readonly string[]> = {
  app: ['x-hubspot-signature-v3', 'x-hubspot-signature'],
  workflow: ['x-hubspot-signature-v3', 'x-hubspot-signature', 'x-hubspot-ai-key'],
};

/**
 * What the public port spends on a request before it is authenticated, bounded:
 *  - no credential header → 401 before the body is read, connection closed;
 *  - a source with EDGE_AUTH_FAILURES_PER_MINUTE failed authentications → 429 with
 *    Retry-After before the body is read, connection closed;
 *  - bodies read within EDGE_BODY_TIMEOUT_MS, at most 1 MiB each and
 *    EDGE_MAX_BUFFERED_BODY_BYTES together (see raw-body.ts);
 *  - failed authentications counted (hubspot_ai_ingest_auth_failures_total) and
 *    logged sampled: 2 lines and a throttling notice per source and minute, 100
 *    lines a minute overall, then one summary a minute.
 * The headers timeout and the connection cap are the HTTP server's (public-server.ts).
 */
@Injectable()
export class EdgeGuard implements OnModuleDestroy {
  readonly bodyReadOptions: BodyReadOptions;
  private readonly limiter: AuthFailureLimiter;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    config: AppConfig,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.bodyReadOptions = { limit: MAX_WEBHOOK_BODY_BYTES, timeoutMs: config.edgeBodyTimeoutMs, budget: new BodyBudget(config.edgeMaxBufferedBodyBytes) };
    this.limiter = new AuthFailureLimiter({ ...DEFAULT_AUTH_FAILURE_LIMITS, failuresPerWindow: config.edgeAuthFailuresPerMinute }, () => clock().getTime());
    this.sweeper = setInterval(() => this.sweep(), DEFAULT_AUTH_FAILURE_LIMITS.windowMs).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    this.sweep();
  }

  /**
   * Before the body: answers and returns false when the request goes no further.
   * Otherwise watches the answer, so a 401 given later counts as a failure.
   */
  admit(route: EdgeRoute, req: Request, res: Response): boolean {
    const source = sourceOf(req.socket.remoteAddress);
    const admission = this.limiter.check(source);
    if (!admission.allowed) {
      this.metrics.authThrottled.inc({ route });
      if (admission.logThrottle) this.logger.warn('webhook source throttled after failed authentications', { route, source, retryAfterSeconds: admission.retryAfterSeconds });
      res.setHeader('Retry-After', String(admission.retryAfterSeconds));
      this.refuse(route, res, 429, 'too many failed authentications; retry later');
      return false;
    }
    if (!CREDENTIAL_HEADERS[route].some((name) => hasValue(req.headers[name]))) {
      this.recordFailure(route, source, 'missing-credentials', 'no signature or key header');
      this.refuse(route, res, 401, UNAUTHORIZED_MESSAGE);
      return false;
    }
    res.once('finish', () => {
      if (res.statusCode === 401) this.recordFailure(route, source, 'rejected', typeof res.locals.authFailure === 'string' ? res.locals.authFailure : undefined);
    });
    return true;
  }

  /**
   * The OAuth callback before it consumes a state: a source over its limit of failed
   * authentications gets 429; a forged state (a 403 the controller marks with
   * `res.locals.authFailure`) counts as a failure, so guessing states is throttled
   * like forging signatures, and a flood of them records little.
   */
  admitInstallCallback(req: Request, res: Response): boolean {
    const source = sourceOf(req.socket.remoteAddress);
    const admission = this.limiter.check(source);
    if (!admission.allowed) {
      this.metrics.authThrottled.inc({ route: 'oauth-callback' });
      if (admission.logThrottle) this.logger.warn('install callback source throttled after failed authentications', { source, retryAfterSeconds: admission.retryAfterSeconds });
      res.setHeader('Retry-After', String(admission.retryAfterSeconds));
      this.refuse('oauth-callback', res, 429, 'too many failed install attempts; retry later');
      return false;
    }
    res.once('finish', () => {
      if (res.statusCode === 403 && typeof res.locals.authFailure === 'string') this.recordFailure('oauth-callback', source, 'rejected', res.locals.authFailure);
    });
    return true;
  }

  private recordFailure(route: GuardedRoute, source: string, reason: 'missing-credentials' | 'rejected', detail: string | undefined): void {
    this.metrics.authFailures.inc({ route, reason });
    if (this.limiter.recordFailure(source).log) this.logger.warn('webhook authentication failed', { route, source, reason, detail });
  }

  /** Answers without reading the body, and closes the connection so the unread body costs nothing. */
  private refuse(route: GuardedRoute, res: Response, status: number, message: string): void {
    res.setHeader('Connection', 'close');
    res.status(status).json({ message });
    this.metrics.requests.inc({ route, status: String(status) });
  }

  private sweep(): void {
    const summary = this.limiter.sweep();
    if (summary.suppressed > 0) this.logger.warn('webhook authentication failures not logged individually (sampled)', { ...summary });
  }
}

function hasValue(header: string | string[] | undefined): boolean {
  return Array.isArray(header) ? header.some((v) => v.length > 0) : typeof header === 'string' && header.length > 0;
}
