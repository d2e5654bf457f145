import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '@app/common';

/** `Authorization: Bearer $ADMIN_API_KEY`, compared in constant time. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: AppConfig) {
    if (!config.adminApiKey) throw new Error('ADMIN_API_KEY is required for the admin API');
    this.expected = digest(config.adminApiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    // Hashing both sides gives equal lengths, so the comparison time reveals nothing.
    if (!match || !timingSafeEqual(digest(match[1]!), this.expected)) throw new UnauthorizedException('missing or wrong admin API key');
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
