import { Inject, Injectable, Optional, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';

/** Provided (true) by a listener that may serve /metrics without a key: an ops listener on loopback with no key configured. */
export const KEYLESS_METRICS = Symbol('KEYLESS_METRICS');

/**
 * GET /metrics needs `Authorization: Bearer $METRICS_API_KEY` (for scrapers, which
 * then need no admin rights) or the admin key. On ingest it is served on the admin
 * listener only, and a key is needed even there, since in containers that listener
 * binds every interface of the container's network. An ops listener (enricher,
 * writer, scheduler) bound to loopback with neither key configured serves it
 * without one (KEYLESS_METRICS); on any other interface loadConfig demands a key.
 */
@Injectable()
export class MetricsAuthGuard implements CanActivate {
  private readonly accepted: Buffer[];

  constructor(
    config: AppConfig,
    @Optional() @Inject(KEYLESS_METRICS) private readonly keyless: boolean = false,
  ) {
    this.accepted = [config.metricsApiKey, config.adminApiKey].filter((key): key is string => typeof key === 'string' && key.length > 0).map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.keyless && this.accepted.length === 0) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    const given = digest(match?.[1] ?? '');
    // Compare against every key, always (equal-length digests, constant time each).
    let ok = false;
    for (const key of this.accepted) ok = timingSafeEqual(given, key) || ok;
    if (!match || !ok) throw new UnauthorizedException('missing or wrong metrics key');
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
