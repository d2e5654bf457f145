import { randomBytes, randomUUID } from 'crypto';
import type { IssuedStatus, IssuedToken } from './oauth.types';

/** HubSpot: access tokens live 30 minutes (`expires_in` 1800). */
export const ACCESS_TOKEN_TTL_MS = 30 * 60_000;
/** RFC 6749 recommends at most 10 minutes for authorization codes. */
export const AUTH_CODE_TTL_MS = 10 * 60_000;

interface Grant {
  appId: number;
  portalId: number;
  scopes: string[];
  userId: number;
  userEmail: string;
}

export interface CodeRecord extends Grant {
  code: string;
  redirectUri: string;
  issuedAt: number;
  expiresAt: number;
  used: boolean;
}

export interface RefreshRecord extends Grant {
  token: string;
  issuedAt: number;
  revokedAt: number | null;
}

export interface AccessRecord extends Grant {
  token: string;
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
  refreshToken: string;
}

export type AccessLookup =
  | { state: 'active'; record: AccessRecord }
  | { state: 'expired'; record: AccessRecord; expiredMs: number }
  | { state: 'revoked'; record: AccessRecord }
  | { state: 'unknown' };

/** Codes, refresh tokens and access tokens the sandbox issued, with their lifetimes on the sandbox clock. */
export class TokenStore {
  private readonly codes = new Map<string, CodeRecord>();
  private readonly refresh = new Map<string, RefreshRecord>();
  private readonly access = new Map<string, AccessRecord>();

  issueCode(grant: Grant, redirectUri: string, now: number): CodeRecord {
    const record: CodeRecord = { ...copy(grant), code: randomUUID(), redirectUri, issuedAt: now, expiresAt: now + AUTH_CODE_TTL_MS, used: false };
    this.codes.set(record.code, record);
    return record;
  }

  code(code: string): CodeRecord | undefined {
    return this.codes.get(code);
  }

  /** A new refresh token for the grant, with its first access token. */
  issuePair(grant: Grant, region: string, now: number): { refresh: RefreshRecord; access: AccessRecord } {
    const refresh: RefreshRecord = { ...copy(grant), token: `${region}-${randomUUID()}`, issuedAt: now, revokedAt: null };
    this.refresh.set(refresh.token, refresh);
    return { refresh, access: this.issueAccess(refresh, now) };
  }

  issueAccess(refresh: RefreshRecord, now: number): AccessRecord {
    // Shaped like HubSpot's (opaque, `C...` base64url); nothing may depend on the format.
    const token = `C${randomBytes(3).toString('hex').toUpperCase()}${randomBytes(48).toString('base64url')}`;
    const record: AccessRecord = { ...copy(refresh), token, issuedAt: now, expiresAt: now + ACCESS_TOKEN_TTL_MS, revokedAt: null, refreshToken: refresh.token };
    this.access.set(token, record);
    return record;
  }

  refreshToken(token: string): RefreshRecord | undefined {
    return this.refresh.get(token);
  }

  lookupAccess(token: string, now: number): AccessLookup {
    const record = this.access.get(token);
    if (!record) return { state: 'unknown' };
    if (record.revokedAt !== null) return { state: 'revoked', record };
    if (now >= record.expiresAt) return { state: 'expired', record, expiredMs: now - record.expiresAt };
    return { state: 'active', record };
  }

  revokeRefresh(token: string, now: number): void {
    const record = this.refresh.get(token);
    if (record && record.revokedAt === null) record.revokedAt = now;
  }

  /** Revokes every code and token of the app in the portal (the install ended). */
  revokeInstall(portalId: number, appId: number, now: number): void {
    const mine = (g: Grant): boolean => g.portalId === portalId && g.appId === appId;
    for (const c of this.codes.values()) if (mine(c)) c.used = true;
    for (const r of this.refresh.values()) if (mine(r) && r.revokedAt === null) r.revokedAt = now;
    for (const a of this.access.values()) if (mine(a) && a.revokedAt === null) a.revokedAt = now;
  }

  list(now: number): IssuedToken[] {
    const out: IssuedToken[] = [];
    const entry = (kind: IssuedToken['kind'], token: string, g: Grant, issuedAt: number, expiresAt: number | null, status: IssuedStatus): IssuedToken => ({
      kind,
      token,
      appId: g.appId,
      portalId: g.portalId,
      scopes: [...g.scopes],
      issuedAt,
      expiresAt,
      status,
    });
    for (const c of this.codes.values()) out.push(entry('code', c.code, c, c.issuedAt, c.expiresAt, c.used ? 'used' : now >= c.expiresAt ? 'expired' : 'active'));
    for (const r of this.refresh.values()) out.push(entry('refresh_token', r.token, r, r.issuedAt, null, r.revokedAt !== null ? 'revoked' : 'active'));
    for (const a of this.access.values()) {
      out.push(entry('access_token', a.token, a, a.issuedAt, a.expiresAt, a.revokedAt !== null ? 'revoked' : now >= a.expiresAt ? 'expired' : 'active'));
    }
    return out.sort((x, y) => x.issuedAt - y.issuedAt);
  }
}

function copy(grant: Grant): Grant {
  return { appId: grant.appId, portalId: grant.portalId, scopes: [...grant.scopes], userId: grant.userId, userEmail: grant.userEmail };
}
