import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from '../platform/tokens';
import { PortalRepository, type Portal } from './portal.repository';

export interface PortalWithToken {
  portal: Portal;
  accessToken: string;
}

/**
 * A portal with its decrypted token, as the services that call HubSpot need it
 * (enricher, writer), cached for PORTAL_CACHE_MS so a backlog costs one lookup per
 * portal per interval; a pause, resume or new token through the admin API reaches
 * them within that time. Unknown portals are not cached.
 */
@Injectable()
export class PortalAccess {
  private readonly entries = new Map<number, { value: PortalWithToken | undefined; expiresAt: number }>();

  constructor(
    private readonly portals: PortalRepository,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async get(portalId: number): Promise<PortalWithToken | undefined> {
    const now = this.clock().getTime();
    const cached = this.entries.get(portalId);
    if (cached && cached.expiresAt > now) return cached.value;
    const value = await this.portals.findWithAccessToken(portalId);
    // Only found portals are cached: a portal registered a moment ago must not be
    // taken for unknown (its first writebacks would be dead-lettered).
    if (!value) return undefined;
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(portalId, { value, expiresAt: now + this.config.portalCacheMs });
    return value;
  }

  forget(portalId: number): void {
    this.entries.delete(portalId);
  }
}
