import type { AppConfig } from '../hubspot.types';

/**
 * Checks an app configuration and fills its defaults: `clientId` (`client-<appId>`), `distribution` (`private`
 * for a legacy private app, else `public`) and `subscriptions` (none).
 */
export function normalizeApp(input: AppConfig): AppConfig {
  const app = input as Partial<AppConfig> & Record<string, unknown>;
  if (!Number.isInteger(app.appId) || typeof app.clientSecret !== 'string' || app.clientSecret === '') {
    throw new Error('configureApp needs appId and clientSecret');
  }
  if (app.webhookTargetUrl !== undefined && typeof app.webhookTargetUrl !== 'string') throw new Error('webhookTargetUrl must be a string');
  if (app.clientId !== undefined && (typeof app.clientId !== 'string' || app.clientId === '')) throw new Error('clientId must be a non-empty string');
  if (app.distribution !== undefined && app.distribution !== 'public' && app.distribution !== 'private') {
    throw new Error(`distribution must be 'public' or 'private', got ${JSON.stringify(app.distribution)}`);
  }
  if (app.privatePortalId !== undefined) {
    if (!Number.isInteger(app.privatePortalId)) throw new Error('privatePortalId must be an integer');
    if (app.distribution === 'public') throw new Error('a legacy private app (privatePortalId) cannot have public distribution');
    if (app.portalIds !== undefined && app.portalIds.some((p) => p !== app.privatePortalId)) {
      throw new Error(`the private app of portal ${app.privatePortalId} cannot be installed in other portals`);
    }
  }
  for (const key of ['redirectUris', 'requiredScopes', 'optionalScopes', 'subscriptions'] as const) {
    const list = app[key];
    if (list !== undefined && (!Array.isArray(list) || !list.every((v) => typeof v === 'string'))) throw new Error(`${key} must be an array of strings`);
  }
  const appId = app.appId as number;
  return {
    ...(input as AppConfig),
    clientId: app.clientId ?? `client-${appId}`,
    distribution: app.distribution ?? (app.privatePortalId !== undefined ? 'private' : 'public'),
    subscriptions: [...(app.subscriptions ?? [])],
    ...(app.redirectUris ? { redirectUris: [...app.redirectUris] } : {}),
  };
}

/** Configured as before the sandbox spoke OAuth: none of the OAuth fields (see AppConfig). */
export function isLegacyConfig(input: AppConfig): boolean {
  return input.clientId === undefined && input.redirectUris === undefined && input.distribution === undefined && input.privatePortalId === undefined;
}

/** A legacy private app (static token, one portal). */
export function isPrivateApp(app: AppConfig): boolean {
  return app.privatePortalId !== undefined;
}
