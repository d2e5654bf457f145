/** What `/oauth/authorize` does while no portal is in its path: which account installs, and how. */
export interface InstallTarget {
  portalId: number;
  /** The user refuses: the redirect carries `error=access_denied`. */
  deny?: boolean;
  /** Scopes granted instead of the requested ones (exactly these; to test missing scopes). */
  grantScopes?: string[];
  /** The installing user (`user_id`, introspection's `user`); default a user of the portal. */
  userId?: number;
  userEmail?: string;
}

/** An app's install in a portal, as `installs()` and `GET /__sandbox/oauth/installs` list it. */
export interface InstallInfo {
  portalId: number;
  appId: number;
  active: boolean;
  /** Scopes granted by the latest authorization. */
  scopes: string[];
  userId: number;
  userEmail: string;
  installedAt: number;
  uninstalledAt: number | null;
}

export type IssuedKind = 'code' | 'access_token' | 'refresh_token';
export type IssuedStatus = 'active' | 'used' | 'expired' | 'revoked';

/** One code or token the sandbox issued (for tests; the platform never needs this). */
export interface IssuedToken {
  kind: IssuedKind;
  token: string;
  appId: number;
  portalId: number;
  scopes: string[];
  issuedAt: number;
  /** null: does not expire (refresh tokens). */
  expiresAt: number | null;
  status: IssuedStatus;
}

export interface OAuthOptions {
  /** Refreshing returns a new refresh token and revokes the old one (default false: the same one comes back). */
  rotateRefreshTokens?: boolean;
}
