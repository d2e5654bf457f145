import type { PortalState } from './crm-api.types';
import { authenticationError, errorBody, type HubSpotErrorBody } from './hubspot-errors.factory';
import type { OAuthServer } from './oauth/oauth-server';
import type { PortalRateLimiter } from './rate-limiter';

/** Who makes an API call: a static (private-app) token of a portal, or an OAuth access token of an app install. */
export interface ApiPrincipal {
  kind: 'static' | 'oauth';
  token: string;
  /** The token's app (a static token's: the portal's `appId`). */
  appId: number | null;
  /** Undefined: every scope (a static token of a portal added without `scopes`). */
  scopes: readonly string[] | undefined;
}

export type ApiCaller = { portal: PortalState; principal: ApiPrincipal; limiter: PortalRateLimiter } | { error: HubSpotErrorBody };

/**
 * The caller of an API call: a static token (addPortal; never expires; the portal's limits) or an OAuth access token
 * (30 minutes, until its install ends; the install's limits). 401 bodies as HubSpot sends them:
 * EXPIRED_AUTHENTICATION ("The OAuth token used to make this call expired N minute(s) ago.") for an expired OAuth
 * token, INVALID_AUTHENTICATION otherwise (unknown, revoked, uninstalled).
 */
export function resolveCaller(token: string, byStaticToken: (token: string) => PortalState | undefined, byId: (portalId: number) => PortalState | undefined, oauth: OAuthServer): ApiCaller {
  const portal = byStaticToken(token);
  if (portal) return { portal, principal: { kind: 'static', token, appId: portal.info.appId, scopes: portal.info.scopes }, limiter: portal.limiter };
  const found = oauth.authenticate(token);
  if (found.state === 'expired') {
    const minutes = Math.floor(found.expiredMs / 60_000);
    return { error: errorBody(`The OAuth token used to make this call expired ${minutes} minute(s) ago.`, 'EXPIRED_AUTHENTICATION') };
  }
  if (found.state !== 'active') return { error: authenticationError() };
  const install = oauth.registry.active(found.record.portalId, found.record.appId);
  const owner = byId(found.record.portalId);
  if (!install || !owner) return { error: authenticationError() };
  return { portal: owner, principal: { kind: 'oauth', token, appId: found.record.appId, scopes: found.record.scopes }, limiter: install.limiter };
}
