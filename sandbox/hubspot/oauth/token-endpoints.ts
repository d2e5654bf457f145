import { createHmac } from 'crypto';
import type { AppConfig, PortalInfo } from '../hubspot.types';
import { appByClientId, type OAuthContext } from './oauth-context';
import type { AccessRecord, RefreshRecord } from './token-store';
import {
  badAuthCode,
  badClientId,
  badClientSecret,
  badRefreshToken,
  mismatchedRedirectUri,
  missingParameters,
  unsupportedGrantType,
  unsupportedTokenType,
  type OAuthResult,
} from './oauth-errors';

/**
 * `POST /oauth/2026-03/token` (and `/oauth/v3/token`), `.../token/introspect` and `.../token/revoke`, as the 2026-03
 * spec (`PublicApiSpecs/Auth/Oauth/Rollouts/279897/2026-03/oauth.json`) describes them. Every parameter comes in
 * the form-encoded body: the caller passes only that (query-string parameters are never read).
 */

const missing = (form: URLSearchParams, names: string[]): string[] => names.filter((n) => !form.get(n));

/** The app of `client_id`, when `client_secret` is its secret. */
function authenticateClient(ctx: OAuthContext, form: URLSearchParams): { app: AppConfig } | { error: OAuthResult } {
  const app = appByClientId(ctx.host, form.get('client_id'));
  if (!app || app.privatePortalId !== undefined) return { error: badClientId() };
  if (app.clientSecret !== form.get('client_secret')) return { error: badClientSecret() };
  return { app };
}

export function tokenEndpoint(ctx: OAuthContext, form: URLSearchParams): OAuthResult {
  const grantType = form.get('grant_type');
  if (!grantType) return missingParameters(['grant_type']);
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') return unsupportedGrantType(grantType);
  const required = grantType === 'authorization_code' ? ['client_id', 'client_secret', 'redirect_uri', 'code'] : ['client_id', 'client_secret', 'refresh_token'];
  const absent = missing(form, required);
  if (absent.length > 0) return missingParameters(absent);
  const client = authenticateClient(ctx, form);
  if ('error' in client) return client.error;
  return grantType === 'authorization_code' ? exchangeCode(ctx, client.app, form) : refresh(ctx, client.app, form);
}

function exchangeCode(ctx: OAuthContext, app: AppConfig, form: URLSearchParams): OAuthResult {
  const now = ctx.host.now();
  const code = ctx.tokens.code(form.get('code') ?? '');
  if (!code || code.used || now >= code.expiresAt || code.appId !== app.appId) return badAuthCode();
  if (code.redirectUri !== form.get('redirect_uri')) return mismatchedRedirectUri();
  code.used = true;
  const portal = ctx.host.portal(code.portalId);
  if (!portal || !ctx.registry.active(code.portalId, code.appId)) return badAuthCode();
  const pair = ctx.tokens.issuePair(code, portal.dataHostingLocation, now);
  return { status: 200, body: tokenResponse(pair.access, now) };
}

function refresh(ctx: OAuthContext, app: AppConfig, form: URLSearchParams): OAuthResult {
  const now = ctx.host.now();
  const current = ctx.tokens.refreshToken(form.get('refresh_token') ?? '');
  if (!current || current.revokedAt !== null || current.appId !== app.appId || !ctx.registry.active(current.portalId, current.appId)) {
    return badRefreshToken();
  }
  if (!ctx.rotateRefreshTokens) return { status: 200, body: tokenResponse(ctx.tokens.issueAccess(current, now), now) };
  const portal = ctx.host.portal(current.portalId);
  const pair = ctx.tokens.issuePair(current, portal?.dataHostingLocation ?? 'na1', now);
  ctx.tokens.revokeRefresh(current.token, now);
  return { status: 200, body: tokenResponse(pair.access, now) };
}

/** AccessTokenResponse, in the order HubSpot's docs show the fields. */
function tokenResponse(access: AccessRecord, now: number): Record<string, unknown> {
  return {
    access_token: access.token,
    refresh_token: access.refreshToken,
    expires_in: Math.round((access.expiresAt - now) / 1000),
    token_type: 'bearer',
    token_use: 'access_token',
    hub_id: access.portalId,
    user_id: access.userId,
    scopes: [...access.scopes],
  };
}

/**
 * Introspection: an active access token of the client's app → PublicAccessTokenInfoResponse; an active refresh
 * token → PublicRefreshTokenInfoResponse; anything else (expired, revoked, unknown, another app's) → `{active: false}`
 * (RFC 7662). `token_type_hint` is only a hint: both kinds are looked up.
 */
export function introspectEndpoint(ctx: OAuthContext, form: URLSearchParams): OAuthResult {
  const absent = missing(form, ['client_id', 'client_secret', 'token']);
  if (absent.length > 0) return missingParameters(absent);
  const client = authenticateClient(ctx, form);
  if ('error' in client) return client.error;
  const app = client.app;
  const now = ctx.host.now();
  const token = form.get('token') ?? '';
  const access = ctx.tokens.lookupAccess(token, now);
  if (access.state === 'active' && access.record.appId === app.appId && ctx.registry.active(access.record.portalId, app.appId)) {
    return { status: 200, body: accessTokenInfo(ctx, app, access.record, now) };
  }
  const refreshRecord = ctx.tokens.refreshToken(token);
  if (refreshRecord && refreshRecord.revokedAt === null && refreshRecord.appId === app.appId && ctx.registry.active(refreshRecord.portalId, app.appId)) {
    return { status: 200, body: refreshTokenInfo(ctx, app, refreshRecord) };
  }
  return { status: 200, body: { active: false } };
}

function hubDomain(ctx: OAuthContext, portalId: number): string {
  return ctx.host.portal(portalId)?.hubDomain ?? `portal${portalId}.hubspot.com`;
}

function accessTokenInfo(ctx: OAuthContext, app: AppConfig, a: AccessRecord, now: number): Record<string, unknown> {
  const portal: PortalInfo | undefined = ctx.host.portal(a.portalId);
  const privateDistribution = app.distribution === 'private';
  return {
    active: true,
    app_id: app.appId,
    client_id: app.clientId,
    expires_in: Math.max(0, Math.floor((a.expiresAt - now) / 1000)),
    hub_domain: hubDomain(ctx, a.portalId),
    hub_id: a.portalId,
    is_private_distribution: privateDistribution,
    scopes: [...a.scopes],
    signed_access_token: {
      expiresAt: a.expiresAt,
      scopes: Buffer.from(a.scopes.join(' '), 'utf8').toString('base64'),
      hubId: a.portalId,
      userId: a.userId,
      appId: app.appId,
      installingUserId: a.userId,
      appInstallId: `${a.portalId}-${app.appId}`,
      audience: app.clientId,
      hublet: portal?.dataHostingLocation ?? 'na1',
      isPrivateDistribution: privateDistribution,
      isServiceAccount: false,
      isUserLevel: false,
      scopeToScopeGroupPks: '',
      trialScopes: '',
      trialScopeToScopeGroupPks: '',
      signature: createHmac('sha256', app.clientSecret).update(`${a.token}|${a.expiresAt}`).digest('base64'),
      newSignature: createHmac('sha256', app.clientSecret).update(`v2|${a.token}|${a.expiresAt}`).digest('base64'),
    },
    token: a.token,
    token_type: 'access',
    token_use: 'access_token',
    user: a.userEmail,
    user_id: a.userId,
  };
}

function refreshTokenInfo(ctx: OAuthContext, app: AppConfig, r: RefreshRecord): Record<string, unknown> {
  return {
    active: true,
    app_id: app.appId,
    client_id: app.clientId,
    hub_domain: hubDomain(ctx, r.portalId),
    hub_id: r.portalId,
    scopes: [...r.scopes],
    token: r.token,
    token_type: 'refresh',
    token_use: 'refresh_token',
    user: r.userEmail,
    user_id: r.userId,
  };
}

/**
 * Revocation (replaces v1 `DELETE /oauth/v1/refresh-tokens/{token}`): revokes a refresh token of the client's app;
 * access tokens already issued keep working until they expire and the app stays installed, as HubSpot documents for
 * the v1 delete. 200 with an empty body, also for an unknown or already revoked token (RFC 7009). An access token
 * → 400 `unsupported_token_type`; another app's refresh token → 400 `invalid_grant` (both unverified).
 */
export function revokeEndpoint(ctx: OAuthContext, form: URLSearchParams): OAuthResult {
  const absent = missing(form, ['client_id', 'client_secret', 'token']);
  if (absent.length > 0) return missingParameters(absent);
  const client = authenticateClient(ctx, form);
  if ('error' in client) return client.error;
  const now = ctx.host.now();
  const token = form.get('token') ?? '';
  const record = ctx.tokens.refreshToken(token);
  if (record) {
    if (record.appId !== client.app.appId) return badRefreshToken();
    ctx.tokens.revokeRefresh(token, now);
    return { status: 200 };
  }
  if (ctx.tokens.lookupAccess(token, now).state !== 'unknown') return unsupportedTokenType();
  return { status: 200 };
}
