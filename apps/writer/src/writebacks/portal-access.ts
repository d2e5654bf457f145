import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CLOCK, PortalRepository, type Clock, type Portal } from '@app/common';

export interface PortalWithToken {
  portal: Portal;
  accessToken: string;
}

/**
 * The writer's view of a portal (status, plan, token), cached for PORTAL_CACHE_MS
 * so a backlog costs one lookup per portal per interval; a pause or resume through
 * the admin API reaches the writer within that time. Unknown portals are not cached.
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
