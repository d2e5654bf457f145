import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from '../platform/tokens';
import type { RenewableToken } from '../hubspot/hubspot-api';
import { PortalTokens } from '../connections/portal-tokens';
import { PortalRepository, type Portal } from './portal.repository';

export interface PortalWithToken {
  portal: Portal;
  /** The token as it was when looked up. */
  accessToken: string;
  /** The same token, renewed once if HubSpot refuses it (pass this to HubSpotApi.call). */
  token: RenewableToken;
}

/**
 * A portal with a usable token, as the services that call HubSpot need it
 * (enricher, writer). The portal is cached for PORTAL_CACHE_MS so a backlog costs
 * one lookup per portal per interval (a pause, resume or new token through the
 * admin API reaches them within that time); the token comes from PortalTokens,
 * which refreshes OAuth tokens before they expire and once after a 401. Unknown
 * portals are not cached.
 */
@Injectable()
export class PortalAccess {
  private readonly entries = new Map<number, { portal: Portal; expiresAt: number }>();
  private readonly tokens: PortalTokens;

  constructor(
    private readonly portals: PortalRepository,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() tokens?: PortalTokens,
  ) {
    this.tokens = tokens ?? new PortalTokens(portals.credentials, undefined, undefined, undefined, clock, { refreshSkewMs: config.hubspotTokenRefreshSkewMs ?? 300_000, cacheMs: config.portalCacheMs });
  }

  async get(portalId: number): Promise<PortalWithToken | undefined> {
    const now = this.clock().getTime();
    const cached = this.entries.get(portalId);
    let portal = cached && cached.expiresAt > now ? cached.portal : undefined;
    if (!portal) {
      portal = await this.portals.find(portalId);
      // Only found portals are cached: a portal registered a moment ago must not be
      // taken for unknown (its first writebacks would be dead-lettered).
      if (!portal) return undefined;
      if (this.entries.size > 10_000) this.entries.clear();
      this.entries.set(portalId, { portal, expiresAt: now + this.config.portalCacheMs });
    }
    // A paused or disabled portal makes no calls: its token is not refreshed (an uninstalled app's would fail again and again).
    const accessToken = await this.tokens.accessToken(portalId, { refresh: portal.status === 'active' });
    if (accessToken === undefined) return undefined;
    const tokens = this.tokens;
    const token: RenewableToken = {
      current: accessToken,
      async renew(used: string) {
        const next = await tokens.afterUnauthorized(portalId, used);
        if (next) this.current = next;
        return next;
      },
    };
    return { portal, accessToken, token };
  }

  forget(portalId: number): void {
    this.entries.delete(portalId);
    this.tokens.forget(portalId);
  }
}
