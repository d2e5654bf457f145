import { randomUUID } from 'crypto';
import { isJsonObject, parseJson } from '../../shared/http-io.util';
import { resourceNotFound } from '../hubspot-errors.factory';
import { authorize } from './authorize-endpoint';
import { InstallRegistry, defaultUser } from './install-registry';
import type { OAuthContext, OAuthHost } from './oauth-context';
import { v1Refused, type OAuthResult } from './oauth-errors';
import type { InstallInfo, InstallTarget, IssuedToken, OAuthOptions } from './oauth.types';
import { introspectEndpoint, revokeEndpoint, tokenEndpoint } from './token-endpoints';
import { TokenStore, type AccessLookup } from './token-store';
import { KNOWN_SCOPES } from '../crm-scopes';

export interface OAuthRequest {
  method: string;
  /** Path segments, `oauth` first. */
  segments: string[];
  query: URLSearchParams;
  contentType: string | undefined;
  accept: string | undefined;
  body: Buffer;
}

export interface OAuthResponse {
  status: number;
  body?: unknown;
  /** An HTML page instead of JSON. */
  html?: string;
  headers?: Record<string, string>;
}

/** The versions of the token endpoints served: the date-versioned 2026-03 and its v3 twin. */
const TOKEN_VERSIONS = new Set(['2026-03', 'v3']);
const FORM = 'application/x-www-form-urlencoded';

/**
 * HubSpot's OAuth for public apps: install (authorize), token, introspect, revoke; plus the private-app token
 * info endpoint. Holds the installs and every code and token issued. The v1 endpoints are refused (404).
 */
export class OAuthServer {
  readonly registry = new InstallRegistry();
  readonly tokens = new TokenStore();
  private readonly ctx: OAuthContext;

  constructor(private readonly host: OAuthHost, options: OAuthOptions = {}) {
    this.ctx = { host, registry: this.registry, tokens: this.tokens, rotateRefreshTokens: options.rotateRefreshTokens === true };
  }

  set rotateRefreshTokens(on: boolean) {
    this.ctx.rotateRefreshTokens = on;
  }

  get rotateRefreshTokens(): boolean {
    return this.ctx.rotateRefreshTokens;
  }

  handle(req: OAuthRequest): OAuthResponse {
    const [, first, second, third, ...rest] = req.segments;
    if (first === 'v1') return v1Refused(`/${req.segments.join('/')}`);
    const isAuthorize = (first === 'authorize' && second === undefined) || (second === 'authorize' && third === undefined && first !== undefined);
    if (isAuthorize) {
      if (req.method !== 'GET') return methodNotAllowed();
      return this.authorizePage(req, first === 'authorize' ? undefined : first);
    }
    if (first !== undefined && TOKEN_VERSIONS.has(first) && second === 'token' && rest.length === 0) {
      const endpoint = third === undefined ? tokenEndpoint : third === 'introspect' ? introspectEndpoint : third === 'revoke' ? revokeEndpoint : undefined;
      if (!endpoint) return { status: 404, body: resourceNotFound() };
      if (req.method !== 'POST') return methodNotAllowed();
      return endpoint(this.ctx, formBody(req));
    }
    if (first === 'v2' && second === 'private-apps' && third === 'get' && rest[0] === 'access-token-info' && rest.length === 1) {
      if (req.method !== 'POST') return methodNotAllowed();
      return this.privateAppTokenInfo(req.body);
    }
    return { status: 404, body: resourceNotFound() };
  }

  /** An OAuth access token on an API call: active, expired, revoked (uninstalled) or not one of ours. */
  authenticate(token: string): AccessLookup {
    const found = this.tokens.lookupAccess(token, this.host.now());
    if (found.state === 'active' && !this.registry.active(found.record.portalId, found.record.appId)) return { state: 'revoked', record: found.record };
    return found;
  }

  setInstallTarget(target: InstallTarget | null): void {
    this.registry.setTarget(target);
  }

  /**
   * The app's install in the portal ends (uninstalled in HubSpot, or through the app-uninstall API): every code and
   * token of the app in the portal stops working and its webhooks for the portal stop. `appId` may be left out when
   * the portal has one app (OAuth-installed, or the one its `appId` names).
   */
  uninstall(portalId: number, appId?: number): { portalId: number; appId: number } {
    const portal = this.host.portal(portalId);
    if (!portal) throw new Error(`no portal ${portalId}`);
    const id = appId ?? this.onlyAppOf(portalId, portal.appId);
    const app = this.host.apps().find((a) => a.appId === id);
    const implied = app !== undefined && this.registry.impliedInstall(app, portalId, () => this.host.portals());
    if (!this.registry.uninstall(portalId, id, this.host.now(), implied)) throw new Error(`app ${id} is not installed in portal ${portalId}`);
    this.tokens.revokeInstall(portalId, id, this.host.now());
    this.host.uninstalled(portalId, id);
    return { portalId, appId: id };
  }

  installs(): InstallInfo[] {
    return this.registry.list();
  }

  issuedTokens(): IssuedToken[] {
    return this.tokens.list(this.host.now());
  }

  private onlyAppOf(portalId: number, named: number | null): number {
    const installed = this.registry.appsInstalledIn(portalId);
    if (installed.length === 1 && installed[0] !== undefined) return installed[0];
    if (installed.length === 0 && named !== null) return named;
    throw new Error(`portal ${portalId} has ${installed.length === 0 ? 'no app' : 'several apps'} installed: name the appId`);
  }

  private authorizePage(req: OAuthRequest, pathPortal: string | undefined): OAuthResponse {
    const outcome = authorize(this.ctx, pathPortal, req.query);
    if (outcome.kind === 'redirect') return { status: 302, headers: { location: outcome.location } };
    const body = { status: 'error', message: outcome.message, correlationId: randomUUID(), category: 'VALIDATION_ERROR' };
    if (!(req.accept ?? '').includes('text/html')) return { status: outcome.status, body };
    const escaped = outcome.message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    return { status: outcome.status, html: `<!doctype html><html><head><title>Couldn't complete the connection</title></head><body><h1>Couldn't complete the connection</h1><p>${escaped}</p></body></html>` };
  }

  /**
   * `POST /oauth/v2/private-apps/get/access-token-info` with `{"tokenKey": "<token>"}`: the static (private-app)
   * token's `userId`, `hubId`, `appId` and `scopes`; 401 for any other token (OAuth access tokens included).
   */
  private privateAppTokenInfo(raw: Buffer): OAuthResponse {
    const parsed = parseJson(raw);
    const tokenKey = parsed.ok && isJsonObject(parsed.value) && typeof parsed.value.tokenKey === 'string' ? parsed.value.tokenKey : undefined;
    if (tokenKey === undefined) return { status: 400, body: { status: 'error', message: 'Invalid input JSON: expected {"tokenKey": "<private app access token>"}', correlationId: randomUUID(), category: 'VALIDATION_ERROR' } };
    const portal = this.host.staticTokenPortal(tokenKey);
    if (!portal) {
      return { status: 401, body: { status: 'error', message: 'The access token provided is not a valid private app access token.', correlationId: randomUUID(), category: 'INVALID_AUTHENTICATION' } };
    }
    return {
      status: 200,
      body: { userId: defaultUser(portal.portalId).userId, hubId: portal.portalId, appId: portal.appId ?? 0, scopes: portal.scopes ? [...portal.scopes] : [...KNOWN_SCOPES] },
    };
  }
}

/** The form-encoded body; anything else (JSON, query string) gives no parameters. */
function formBody(req: OAuthRequest): URLSearchParams {
  const type = (req.contentType ?? '').split(';')[0]?.trim().toLowerCase();
  return type === FORM ? new URLSearchParams(req.body.toString('utf8')) : new URLSearchParams();
}

function methodNotAllowed(): OAuthResult {
  return { status: 405, body: { status: 'error', message: 'Method not allowed', correlationId: randomUUID() } };
}
