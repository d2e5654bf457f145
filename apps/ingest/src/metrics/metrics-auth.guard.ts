import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '@app/common';

/**
 * GET /metrics needs `Authorization: Bearer $METRICS_API_KEY` (for scrapers, which
 * then need no admin rights) or the admin key. It is served on the admin listener
 * only; a key is needed even there, since in containers that listener binds every
 * interface of the container's network (docker-compose.yml).
 */
@Injectable()
export class MetricsAuthGuard implements CanActivate {
  private readonly accepted: Buffer[];

  constructor(config: AppConfig) {
    this.accepted = [config.metricsApiKey, config.adminApiKey].filter((key): key is string => typeof key === 'string' && key.length > 0).map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
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
