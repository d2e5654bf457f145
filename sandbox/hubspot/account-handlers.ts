import type { ApiContext, ApiResult } from './crm-api.types';
import type { PortalInfo } from './hubspot.types';
import { resourceNotFound } from './hubspot-errors.factory';
import { grants, missingScopes } from './owner-handlers';
import { defaultLimits } from './rate-limiter';
import { formatInstant, utcDayStart } from './instant-format.util';
import type { ApiPrincipal } from './api-caller';

export interface PlatformHooks {
  /** Ends the app's install in the portal (tokens revoked, webhooks stopped). */
  uninstall(portalId: number, appId: number): void;
}

const VERSIONS = new Set(['2026-03', 'v3']);
const OAUTH_SCOPE = 'oauth';

/**
 * The account and app-install APIs (`PublicApiSpecs/Account/Account Info/Rollouts/144923/2026-03`, App Uninstalls):
 *
 * - `GET /account-info/{2026-03|v3}/details` and `GET /account-info/{2026-03|v3}/api-usage/daily/private-apps`: the
 *   spec's only security is OAuth's `oauth` scope, so an OAuth token without it gets 403 MISSING_SCOPES; static
 *   (private-app) tokens are accepted whatever their scopes (the usage endpoint is about private apps).
 * - `DELETE /appinstalls/{2026-03|v3}/external-install`: uninstalls the calling OAuth token's app from its account
 *   (204); needs the `oauth` scope, so a static token gets 403.
 *
 * Undefined for other paths.
 */
export function routePlatform(ctx: ApiContext, principal: ApiPrincipal, segments: string[], hooks: PlatformHooks): ApiResult | undefined {
  const [root, version, ...rest] = segments;
  if (root === 'account-info' && version !== undefined && VERSIONS.has(version)) {
    const path = rest.join('/');
    if (path !== 'details' && path !== 'api-usage/daily/private-apps') return { status: 404, body: resourceNotFound() };
    if (ctx.method !== 'GET') return { status: 405, body: resourceNotFound() };
    if (principal.kind === 'oauth' && !grants(principal.scopes, [OAUTH_SCOPE])) return { status: 403, body: missingScopes([OAUTH_SCOPE]) };
    return path === 'details' ? { status: 200, body: accountDetails(ctx.portal.info, ctx.now) } : { status: 200, body: dailyUsage(ctx) };
  }
  if (root === 'appinstalls' && version !== undefined && VERSIONS.has(version)) {
    if (rest.join('/') !== 'external-install') return { status: 404, body: resourceNotFound() };
    if (ctx.method !== 'DELETE') return { status: 405, body: resourceNotFound() };
    if (principal.kind !== 'oauth' || principal.appId === null || !grants(principal.scopes, [OAUTH_SCOPE])) return { status: 403, body: missingScopes([OAUTH_SCOPE]) };
    hooks.uninstall(ctx.portal.info.portalId, principal.appId);
    return { status: 204 };
  }
  return undefined;
}

/** PortalInformationResponse, fields in the order of HubSpot's example. */
export function accountDetails(info: PortalInfo, now: number): Record<string, unknown> {
  const offsetMs = utcOffsetMs(info.timeZone, now);
  return {
    portalId: info.portalId,
    accountType: info.accountType,
    timeZone: info.timeZone,
    companyCurrency: info.currency,
    additionalCurrencies: [],
    utcOffset: formatOffset(offsetMs),
    utcOffsetMilliseconds: offsetMs,
    uiDomain: info.dataHostingLocation === 'na1' ? 'app.hubspot.com' : `app-${info.dataHostingLocation}.hubspot.com`,
    dataHostingLocation: info.dataHostingLocation,
  };
}

/**
 * The portal's private-app calls today (the sandbox's daily counter, which OAuth calls do not touch) against its
 * daily limit. `resetsAt` is the next UTC midnight, when the sandbox's counter resets (HubSpot resets daily limits
 * at midnight in the account's time zone).
 */
function dailyUsage(ctx: ApiContext): Record<string, unknown> {
  const info = ctx.portal.info;
  const limit = info.limits.daily ?? defaultLimits(info.tier, 'private').daily ?? 0;
  return {
    results: [
      {
        name: 'private-apps-api-calls-daily',
        usageLimit: limit,
        currentUsage: ctx.portal.limiter.dailyCount(ctx.now),
        collectedAt: formatInstant(ctx.now),
        fetchStatus: 'SUCCESS',
        resetsAt: formatInstant(utcDayStart(ctx.now) + 86_400_000),
      },
    ],
  };
}

/** The zone's offset from UTC at `now`, in ms (throws for an unknown zone). */
export function utcOffsetMs(timeZone: string, now: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(now));
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (!match) return 0;
  const [, sign, hours, minutes] = match;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 3_600_000 + Number(minutes) * 60_000);
}

function formatOffset(ms: number): string {
  const abs = Math.abs(ms);
  const hours = String(Math.floor(abs / 3_600_000)).padStart(2, '0');
  const minutes = String(Math.floor((abs % 3_600_000) / 60_000)).padStart(2, '0');
  return `${ms < 0 ? '-' : '+'}${hours}:${minutes}`;
}
