import type { AppConfig } from '../hubspot.types';
import { appByClientId, type OAuthContext } from './oauth-context';
import { defaultUser } from './install-registry';

export type AuthorizeOutcome = { kind: 'redirect'; location: string } | { kind: 'refused'; status: 400; message: string };

/** Scopes HubSpot grants every OAuth app, whether requested or not. */
export const ALWAYS_GRANTED = ['oauth'];

const refused = (message: string): AuthorizeOutcome => ({ kind: 'refused', status: 400, message });

const scopeList = (raw: string | null): string[] => (raw ?? '').split(/\s+/).filter((s) => s !== '');

/**
 * `GET /oauth/authorize` and `GET /oauth/{portalId}/authorize` (HubSpot's install URL, on app.hubspot.com there):
 * checks the request, then approves at once, as a user who clicks "Connect app" would. The installing account is
 * the portal in the path, else the install target (`setInstallTarget`). What HubSpot shows as an error page (unknown
 * `client_id`, missing `scope` or `redirect_uri`, a `redirect_uri` the app did not register) is a 400 without a
 * redirect; a user's refusal (`deny`) redirects with RFC 6749's `error=access_denied`.
 */
export function authorize(ctx: OAuthContext, pathPortal: string | undefined, query: URLSearchParams): AuthorizeOutcome {
  const app = appByClientId(ctx.host, query.get('client_id'));
  if (!app) return refused('An invalid app client_id was provided. Please contact the app developer.');
  if (app.privatePortalId !== undefined) return refused(`App ${app.appId} is a private app of portal ${app.privatePortalId}; it cannot be installed through OAuth.`);
  const redirectUri = query.get('redirect_uri');
  if (!redirectUri) return refused('The redirect_uri parameter is required.');
  if (!isAbsoluteUrl(redirectUri)) return refused(`Authorization failed as the redirect URL '${redirectUri}' is not a valid URL.`);
  if (app.redirectUris && !app.redirectUris.includes(redirectUri)) {
    return refused(`Authorization failed as the redirect URL '${redirectUri}' doesn't match the app's registered redirect URL.`);
  }
  const scopes = scopeList(query.get('scope'));
  if (scopes.length === 0) return refused('The scope parameter is required.');
  const optional = scopeList(query.get('optional_scope'));
  const mismatch = scopeMismatch(app, scopes, optional);
  if (mismatch) return refused(mismatch);

  const target = ctx.registry.getTarget();
  const portalId = pathPortal !== undefined ? Number(pathPortal) : target?.portalId;
  if (portalId === undefined) return refused('No HubSpot account to install into: put its id in the path (/oauth/{portalId}/authorize) or set the install target.');
  if (!Number.isInteger(portalId) || !ctx.host.portal(portalId)) return refused(`No HubSpot account ${String(pathPortal ?? portalId)} to install into.`);
  const options = target && target.portalId === portalId ? target : undefined;
  const state = query.get('state');
  if (options?.deny) {
    return redirect(redirectUri, { error: 'access_denied', error_description: 'The user denied the app access to the HubSpot account.', state });
  }

  const granted = options?.grantScopes ? [...options.grantScopes] : unique([...scopes, ...optional, ...ALWAYS_GRANTED]);
  const user = { ...defaultUser(portalId), ...(options?.userId !== undefined ? { userId: options.userId } : {}), ...(options?.userEmail ? { userEmail: options.userEmail } : {}) };
  const now = ctx.host.now();
  ctx.registry.install(portalId, app.appId, granted, user, now);
  ctx.host.installed(portalId, app.appId);
  const code = ctx.tokens.issueCode({ appId: app.appId, portalId, scopes: granted, ...user }, redirectUri, now);
  return redirect(redirectUri, { code: code.code, state });
}

/** HubSpot checks the install URL's scopes against the app's scope settings (when the sandbox app has them). */
function scopeMismatch(app: AppConfig, scopes: string[], optional: string[]): string | undefined {
  if (app.requiredScopes) {
    const want = new Set(app.requiredScopes);
    if (scopes.length !== want.size || !scopes.every((s) => want.has(s))) {
      return `The scopes in the install URL (${scopes.join(' ')}) don't match the app's required scopes (${app.requiredScopes.join(' ')}).`;
    }
  }
  if (app.optionalScopes) {
    const extra = optional.filter((s) => !app.optionalScopes!.includes(s));
    if (extra.length > 0) return `The optional scopes ${extra.join(' ')} are not among the app's optional scopes.`;
  }
  return undefined;
}

function redirect(redirectUri: string, params: Record<string, string | null>): AuthorizeOutcome {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return { kind: 'redirect', location: url.toString() };
}

function isAbsoluteUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
