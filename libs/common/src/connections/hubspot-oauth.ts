import type { HubSpotApi, HubSpotCallResult } from '../hubspot/hubspot-api';
import { isPlainObject } from '../util/json';

/** What HubSpot's token endpoint gave (never logged, never in an event). */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives (HubSpot: 1800). */
  expiresIn: number;
  hubId: number | null;
  userId: number | null;
  scopes: string[] | null;
}

/** What introspection says about a token (no token in it). */
export interface TokenInfo {
  active: boolean;
  hubId: number | null;
  appId: number | null;
  hubDomain: string | null;
  scopes: string[];
  userId: number | null;
  /** Seconds left (access tokens). */
  expiresIn: number | null;
}

/**
 * Why an OAuth call failed, by HubSpot's status and the RFC 6749 `error` code of
 * its answer (never its text):
 * - `invalid-grant`: the code or refresh token is invalid, expired, revoked (the app
 *   was uninstalled); final: a new install is needed;
 * - `invalid-client`: the app's client id or secret is wrong; final until the
 *   deployment is fixed;
 * - `rejected`: another 4xx (a malformed request: a bug);
 * - `unavailable`: no answer, 429 or 5xx; retriable.
 */
export interface OAuthFailure {
  kind: 'invalid-grant' | 'invalid-client' | 'rejected' | 'unavailable';
  retriable: boolean;
  status: number | null;
  /** HubSpot's `error` (RFC 6749) or legacy `status` code, e.g. invalid_grant / BAD_REFRESH_TOKEN. */
  code: string | null;
  /** HubSpot's description: for operators, never for decisions. */
  description: string;
}

export type OAuthResult<T> = { ok: true; value: T } | { ok: false; failure: OAuthFailure };

/**
 * HubSpot's OAuth endpoints of 2026-03 (docs/decisions/0020): the code exchange,
 * refresh, introspection and revocation, through the HubSpot door (HubSpotApi:
 * the SDK's request with a form body and no bearer token). Never the v1
 * endpoints, which HubSpot switches off on 2027-02-16.
 */
export class HubSpotOAuth {
  constructor(
    private readonly api: HubSpotApi,
    private readonly app: { clientId?: string; clientSecret?: string },
  ) {}

  /** Whether the app's credentials are configured (HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET). */
  get configured(): boolean {
    return Boolean(this.app.clientId && this.app.clientSecret);
  }

  async exchangeCode(code: string, redirectUri: string): Promise<OAuthResult<OAuthTokens>> {
    return this.tokens({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
  }

  async refresh(refreshToken: string): Promise<OAuthResult<OAuthTokens>> {
    return this.tokens({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  async introspect(token: string, hint: 'access_token' | 'refresh_token'): Promise<OAuthResult<TokenInfo>> {
    const answer = await this.api.call(null, 'oauth.introspect', {}, { form: { ...this.credentials(), token, token_type_hint: hint } });
    if (!answer.ok) return { ok: false, failure: classifyOAuthFailure(answer) };
    const body = isPlainObject(answer.body) ? answer.body : {};
    return {
      ok: true,
      value: {
        active: body.active === true,
        hubId: numberOrNull(body.hub_id),
        appId: numberOrNull(body.app_id),
        hubDomain: typeof body.hub_domain === 'string' ? body.hub_domain : null,
        scopes: stringList(body.scopes) ?? [],
        userId: numberOrNull(body.user_id),
        expiresIn: numberOrNull(body.expires_in),
      },
    };
  }

  /** Revokes a refresh token at HubSpot (its access tokens work until they expire). */
  async revoke(refreshToken: string): Promise<OAuthResult<true>> {
    const answer = await this.api.call(null, 'oauth.revoke', {}, { form: { ...this.credentials(), token: refreshToken, token_type_hint: 'refresh_token' } });
    return answer.ok ? { ok: true, value: true } : { ok: false, failure: classifyOAuthFailure(answer) };
  }

  /** Uninstalls the app from the account the access token belongs to (needs the `oauth` scope). */
  async uninstall(accessToken: string): Promise<OAuthResult<true>> {
    const answer = await this.api.call(accessToken, 'apps.uninstall', {});
    return answer.ok ? { ok: true, value: true } : { ok: false, failure: classifyOAuthFailure(answer) };
  }

  private async tokens(grant: Record<string, string>): Promise<OAuthResult<OAuthTokens>> {
    const answer = await this.api.call(null, 'oauth.token', {}, { form: { ...grant, ...this.credentials() } });
    if (!answer.ok) return { ok: false, failure: classifyOAuthFailure(answer) };
    const body = isPlainObject(answer.body) ? answer.body : {};
    const accessToken = body.access_token;
    const refreshToken = body.refresh_token;
    const expiresIn = numberOrNull(body.expires_in);
    if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || expiresIn === null) {
      return { ok: false, failure: { kind: 'rejected', retriable: false, status: answer.status, code: null, description: 'HubSpot answered the token request without access_token, refresh_token or expires_in' } };
    }
    return { ok: true, value: { accessToken, refreshToken, expiresIn, hubId: numberOrNull(body.hub_id), userId: numberOrNull(body.user_id), scopes: stringList(body.scopes) } };
  }

  private credentials(): { client_id: string; client_secret: string } {
    if (!this.app.clientId || !this.app.clientSecret) throw new OAuthNotConfiguredError();
    return { client_id: this.app.clientId, client_secret: this.app.clientSecret };
  }
}

/** HUBSPOT_CLIENT_ID or HUBSPOT_CLIENT_SECRET is missing in a service that needs OAuth. */
export class OAuthNotConfiguredError extends Error {
  constructor() {
    super('HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET must be set to connect portals by OAuth and refresh their tokens');
    this.name = 'OAuthNotConfiguredError';
  }
}

/** Pure: an OAuth call's failure by status and RFC 6749 error code. */
export function classifyOAuthFailure(answer: Extract<HubSpotCallResult, { ok: false }>): OAuthFailure {
  const status = typeof answer.error.code === 'number' ? answer.error.code : null;
  const body = isPlainObject(answer.error.body) ? answer.error.body : {};
  const error = typeof body.error === 'string' ? body.error : null;
  const legacy = typeof body.status === 'string' ? body.status : null;
  const description = [body.error_description, body.message].find((v): v is string => typeof v === 'string') ?? answer.error.message ?? `HTTP ${status ?? 'no answer'}`;
  const code = error ?? legacy;
  if (status === null || status === 429 || status >= 500) return { kind: 'unavailable', retriable: true, status, code, description };
  if (error === 'invalid_grant' || legacy === 'BAD_REFRESH_TOKEN' || legacy === 'BAD_AUTH_CODE') return { kind: 'invalid-grant', retriable: false, status, code, description };
  if (error === 'invalid_client' || status === 401) return { kind: 'invalid-client', retriable: false, status, code, description };
  return { kind: 'rejected', retriable: false, status, code, description };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...value] : null;
}
