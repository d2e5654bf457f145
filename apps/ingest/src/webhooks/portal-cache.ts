import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig, CLOCK, PortalLifecycle, PortalRepository, type Clock, type Portal } from '@app/common';

/**
 * Portal lookups for the webhook path, cached for PORTAL_CACHE_MS so a flood of
 * webhooks costs one query per portal per interval. Unknown portals are cached too:
 * a misconfigured app pointing at us must not turn into one query per event. A portal
 * registered or changed in this process (the admin API, the OAuth callback) is
 * forgotten at once, so webhooks right after its install are not ignored as "not
 * registered"; other replicas see it within PORTAL_CACHE_MS.
 */
@Injectable()
export class PortalCache {
  private readonly entries = new Map<number, { portal: Portal | undefined; expiresAt: number }>();

  constructor(
    private readonly portals: PortalRepository,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() lifecycle?: PortalLifecycle,
  ) {
    lifecycle?.onRecorded((portalId) => this.entries.delete(portalId));
  }

  async lookUp(portalIds: Iterable<number>): Promise<Map<number, Portal>> {
    const now = this.clock().getTime();
    const found = new Map<number, Portal>();
    const missing: number[] = [];
    for (const id of new Set(portalIds)) {
      const entry = this.entries.get(id);
      if (entry && entry.expiresAt > now) {
        if (entry.portal) found.set(id, entry.portal);
      } else missing.push(id);
    }
    if (missing.length > 0) {
      const loaded = new Map((await this.portals.findMany(missing)).map((p) => [p.portalId, p]));
      if (this.entries.size > 50_000) this.entries.clear();
      for (const id of missing) {
        const portal = loaded.get(id);
        this.entries.set(id, { portal, expiresAt: now + this.config.portalCacheMs });
        if (portal) found.set(id, portal);
      }
    }
    return found;
  }
}
