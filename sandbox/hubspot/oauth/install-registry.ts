import type { AppConfig, PortalInfo } from '../hubspot.types';
import { PortalRateLimiter, defaultLimits } from '../rate-limiter';
import type { InstallInfo, InstallTarget } from './oauth.types';

export interface InstallRecord extends InstallInfo {
  /** OAuth calls have their own limits: 110 per 10 s per installing account, no daily limit. */
  limiter: PortalRateLimiter;
}

const key = (portalId: number, appId: number): string => `${portalId}|${appId}`;

/** The default installing user of a portal (its first user, as the sandbox makes them up). */
export function defaultUser(portalId: number): { userId: number; userEmail: string } {
  return { userId: 10_000_000 + (portalId % 10_000_000), userEmail: `admin@portal${portalId}.example.com` };
}

/**
 * Which app is installed in which portal: OAuth installs (authorize), uninstalls, and for webhooks the installs
 * implied by the configuration (a private app's portal, `portalIds`, a legacy config's portals, see AppConfig).
 */
export class InstallRegistry {
  private readonly records = new Map<string, InstallRecord>();
  /** Ended installs of apps installed without OAuth (portalIds, private app, legacy): no more webhooks. */
  private readonly removed = new Set<string>();
  private readonly legacyApps = new Set<number>();
  private target: InstallTarget | null = null;

  markLegacy(appId: number, legacy: boolean): void {
    if (legacy) this.legacyApps.add(appId);
    else this.legacyApps.delete(appId);
  }

  isLegacy(appId: number): boolean {
    return this.legacyApps.has(appId);
  }

  setTarget(target: InstallTarget | null): void {
    if (target !== null) {
      if (!Number.isInteger(target.portalId)) throw new Error('install target needs an integer portalId');
      if (target.grantScopes !== undefined && (!Array.isArray(target.grantScopes) || !target.grantScopes.every((s) => typeof s === 'string'))) {
        throw new Error('grantScopes must be an array of strings');
      }
    }
    this.target = target === null ? null : { ...target, ...(target.grantScopes ? { grantScopes: [...target.grantScopes] } : {}) };
  }

  getTarget(): InstallTarget | null {
    return this.target ? { ...this.target } : null;
  }

  /** Records an OAuth install (again: a re-authorization, with the newly granted scopes). */
  install(portalId: number, appId: number, scopes: string[], user: { userId: number; userEmail: string }, now: number): InstallRecord {
    const existing = this.records.get(key(portalId, appId));
    this.removed.delete(key(portalId, appId));
    if (existing && existing.active) {
      existing.scopes = [...scopes];
      return existing;
    }
    const record: InstallRecord = {
      portalId,
      appId,
      active: true,
      scopes: [...scopes],
      ...user,
      installedAt: now,
      uninstalledAt: null,
      limiter: existing?.limiter ?? new PortalRateLimiter(defaultLimits('starter', 'public'), 5),
    };
    this.records.set(key(portalId, appId), record);
    return record;
  }

  /** The active OAuth install, if any. */
  active(portalId: number, appId: number): InstallRecord | undefined {
    const record = this.records.get(key(portalId, appId));
    return record?.active ? record : undefined;
  }

  /** Ends the install (OAuth or implied). Returns whether there was one to end. */
  uninstall(portalId: number, appId: number, now: number, impliedInstall: boolean): boolean {
    const record = this.active(portalId, appId);
    if (record) {
      record.active = false;
      record.uninstalledAt = now;
    }
    if (impliedInstall) this.removed.add(key(portalId, appId));
    return record !== undefined || impliedInstall;
  }

  list(): InstallInfo[] {
    return [...this.records.values()].map(({ limiter: _limiter, ...info }) => ({ ...info, scopes: [...info.scopes] }));
  }

  /** Apps with an active OAuth install in the portal. */
  appsInstalledIn(portalId: number): number[] {
    return [...this.records.values()].filter((r) => r.active && r.portalId === portalId).map((r) => r.appId);
  }

  /**
   * Whether the app gets the portal's webhooks: installed through OAuth, or by its configuration (the private
   * app's own portal; `portalIds`; for a legacy config, the portals naming it as `appId`, or every portal when
   * none names it and nothing installed it), and not uninstalled since.
   */
  receivesEvents(app: AppConfig, portalId: number, portals: () => PortalInfo[]): boolean {
    if (this.active(portalId, app.appId)) return true;
    return !this.removed.has(key(portalId, app.appId)) && this.impliedInstall(app, portalId, portals);
  }

  /** Installed by configuration rather than OAuth (see receivesEvents). */
  impliedInstall(app: AppConfig, portalId: number, portals: () => PortalInfo[]): boolean {
    if (app.privatePortalId !== undefined) return app.privatePortalId === portalId;
    if (app.portalIds !== undefined) return app.portalIds.includes(portalId);
    if (!this.legacyApps.has(app.appId)) return false;
    const all = portals();
    if (all.some((p) => p.portalId === portalId && p.appId === app.appId)) return true;
    const namedAnywhere = all.some((p) => p.appId === app.appId) || [...this.records.values()].some((r) => r.appId === app.appId);
    return !namedAnywhere;
  }
}
