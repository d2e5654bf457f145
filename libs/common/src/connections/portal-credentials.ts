import { returnedRows } from '../database/returned-rows';
import type { DataSource, EntityManager } from 'typeorm';
import type { TokenCipher } from '../portals/token-cipher';
import type { PortalConnection } from '../events/event-types';

/** A portal's secrets, decrypted (only ever in memory). */
export interface PortalSecrets {
  mode: PortalConnection['mode'];
  accessToken: string;
  /** When the access token stops working (OAuth); null: it does not expire (private app, pasted token). */
  expiresAt: Date | null;
  refreshToken: string | null;
  /** The private app's own client secret (its webhooks are signed with it); null: the public app's secret applies. */
  clientSecret: string | null;
  appId: number | null;
  /** Bumped by every token change: a refresh compares it to know another replica already refreshed. */
  version: number;
  /** The version whose refresh HubSpot refused for good (invalid_grant); equal to `version`: do not ask again. */
  refusedVersion: number | null;
  /** Until when a replica holds the refresh lease; null: nobody is refreshing. */
  leaseUntil: Date | null;
}

export interface NewPortalSecrets {
  mode: PortalConnection['mode'];
  accessToken: string;
  expiresAt?: Date | null;
  refreshToken?: string | null;
  clientSecret?: string | null;
  appId?: number | null;
}

interface CredentialRow {
  mode: PortalConnection['mode'];
  access_token_encrypted: string;
  access_token_expires_at: Date | null;
  refresh_token_encrypted: string | null;
  client_secret_encrypted: string | null;
  app_id: string | null;
  token_version: number;
  refresh_refused_version: number | null;
  refresh_lease_until: Date | null;
}

/** The AAD of each secret: the portal and the column, so no ciphertext can stand in for another. */
export const credentialContexts = {
  accessToken: (portalId: number | string) => `portal:${portalId}`,
  refreshToken: (portalId: number | string) => `portal:${portalId}:refresh-token`,
  clientSecret: (portalId: number | string) => `portal:${portalId}:client-secret`,
};

/**
 * `portal_credentials`: every portal's tokens and secret, encrypted with the keyring,
 * apart from the `portals` projection (docs/decisions/0020). Writes take a manager so
 * they can join the transaction that records the portal's events.
 */
export class PortalCredentials {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: TokenCipher | undefined,
  ) {}

  async save(portalId: number, secrets: NewPortalSecrets, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const keyring = this.requireCipher().keyring;
    await manager.query(
      `INSERT INTO portal_credentials (portal_id, mode, access_token_encrypted, access_token_expires_at, refresh_token_encrypted, client_secret_encrypted, app_id, token_version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, now())
       ON CONFLICT (portal_id) DO UPDATE SET mode = EXCLUDED.mode, access_token_encrypted = EXCLUDED.access_token_encrypted,
         access_token_expires_at = EXCLUDED.access_token_expires_at, refresh_token_encrypted = EXCLUDED.refresh_token_encrypted,
         client_secret_encrypted = EXCLUDED.client_secret_encrypted, app_id = EXCLUDED.app_id,
         token_version = portal_credentials.token_version + 1, refresh_lease_owner = NULL, refresh_lease_until = NULL, updated_at = now()`,
      [
        portalId,
        secrets.mode,
        keyring.encrypt(secrets.accessToken, credentialContexts.accessToken(portalId)),
        secrets.expiresAt ?? null,
        secrets.refreshToken ? keyring.encrypt(secrets.refreshToken, credentialContexts.refreshToken(portalId)) : null,
        secrets.clientSecret ? keyring.encrypt(secrets.clientSecret, credentialContexts.clientSecret(portalId)) : null,
        secrets.appId ?? null,
      ],
    );
  }

  async read(portalId: number, manager: EntityManager = this.dataSource.manager): Promise<PortalSecrets | undefined> {
    const [row] = (await manager.query(
      `SELECT mode, access_token_encrypted, access_token_expires_at, refresh_token_encrypted, client_secret_encrypted, app_id::text, token_version, refresh_refused_version, refresh_lease_until
       FROM portal_credentials WHERE portal_id = $1`,
      [portalId],
    )) as CredentialRow[];
    return row ? this.decrypt(portalId, row) : undefined;
  }

  /** The private app's client secret only (ingest verifies webhooks with it); undefined: none stored. */
  async clientSecret(portalId: number): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(`SELECT client_secret_encrypted FROM portal_credentials WHERE portal_id = $1`, [portalId])) as Array<{ client_secret_encrypted: string | null }>;
    if (!row?.client_secret_encrypted) return undefined;
    return this.requireCipher().keyring.decrypt(row.client_secret_encrypted, credentialContexts.clientSecret(portalId));
  }

  /**
   * The private apps' client secrets of several portals in one query: a portal absent
   * from the map has none stored (the public app's secret applies to it).
   */
  async clientSecrets(portalIds: readonly number[]): Promise<Map<number, string>> {
    const secrets = new Map<number, string>();
    if (portalIds.length === 0) return secrets;
    const rows = (await this.dataSource.query(`SELECT portal_id, client_secret_encrypted FROM portal_credentials WHERE portal_id = ANY($1) AND client_secret_encrypted IS NOT NULL`, [
      [...portalIds],
    ])) as Array<{ portal_id: string; client_secret_encrypted: string }>;
    for (const row of rows) {
      const portalId = Number(row.portal_id);
      secrets.set(portalId, this.requireCipher().keyring.decrypt(row.client_secret_encrypted, credentialContexts.clientSecret(portalId)));
    }
    return secrets;
  }

  /**
   * A new access token (and refresh token, when HubSpot sent another) after a refresh
   * of version `seenVersion`; bumps the version. Undefined when the credentials changed
   * meanwhile (a reconnection stored newer ones): nothing is overwritten.
   */
  async storeRefreshed(portalId: number, seenVersion: number, tokens: { accessToken: string; expiresAt: Date; refreshToken?: string }, manager: EntityManager = this.dataSource.manager): Promise<number | undefined> {
    const keyring = this.requireCipher().keyring;
    const [row] = returnedRows<{ token_version: number }>(
      await manager.query(
        `UPDATE portal_credentials SET access_token_encrypted = $2, access_token_expires_at = $3,
           refresh_token_encrypted = COALESCE($4, refresh_token_encrypted), token_version = token_version + 1, updated_at = now()
         WHERE portal_id = $1 AND token_version = $5 RETURNING token_version`,
        [
          portalId,
          keyring.encrypt(tokens.accessToken, credentialContexts.accessToken(portalId)),
          tokens.expiresAt,
          tokens.refreshToken ? keyring.encrypt(tokens.refreshToken, credentialContexts.refreshToken(portalId)) : null,
          seenVersion,
        ],
      ),
    );
    return row?.token_version;
  }

  /** Replaces a static token (admin API); bumps the version. */
  async replaceAccessToken(portalId: number, accessToken: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(`UPDATE portal_credentials SET access_token_encrypted = $2, token_version = token_version + 1, updated_at = now() WHERE portal_id = $1`, [
      portalId,
      this.requireCipher().keyring.encrypt(accessToken, credentialContexts.accessToken(portalId)),
    ]);
  }

  /**
   * Takes the portal's refresh lease for `ms` when no other replica holds it (or its
   * lease ran out): true when this caller is now the one refreshing.
   */
  async tryLease(portalId: number, owner: string, ms: number): Promise<boolean> {
    const rows = returnedRows(
      await this.dataSource.query(
        `UPDATE portal_credentials SET refresh_lease_owner = $2, refresh_lease_until = now() + ($3 || ' milliseconds')::interval
         WHERE portal_id = $1 AND (refresh_lease_until IS NULL OR refresh_lease_until < now() OR refresh_lease_owner = $2) RETURNING portal_id`,
        [portalId, owner, String(ms)],
      ),
    );
    return rows.length > 0;
  }

  /**
   * HubSpot refused to refresh this token version for good: no replica asks again until
   * the credentials change. False when they changed meanwhile (a reconnection): nothing to record.
   */
  async markRefused(portalId: number, version: number, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    return returnedRows(await manager.query(`UPDATE portal_credentials SET refresh_refused_version = $2 WHERE portal_id = $1 AND token_version = $2 RETURNING portal_id`, [portalId, version])).length > 0;
  }

  async releaseLease(portalId: number, owner: string): Promise<void> {
    await this.dataSource.query(`UPDATE portal_credentials SET refresh_lease_owner = NULL, refresh_lease_until = NULL WHERE portal_id = $1 AND refresh_lease_owner = $2`, [portalId, owner]);
  }

  async erase(portalId: number, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(`DELETE FROM portal_credentials WHERE portal_id = $1`, [portalId]);
  }

  private decrypt(portalId: number, row: CredentialRow): PortalSecrets {
    const keyring = this.requireCipher().keyring;
    return {
      mode: row.mode,
      accessToken: this.requireCipher().decrypt(row.access_token_encrypted, portalId),
      expiresAt: row.access_token_expires_at ? new Date(row.access_token_expires_at) : null,
      refreshToken: row.refresh_token_encrypted ? keyring.decrypt(row.refresh_token_encrypted, credentialContexts.refreshToken(portalId)) : null,
      clientSecret: row.client_secret_encrypted ? keyring.decrypt(row.client_secret_encrypted, credentialContexts.clientSecret(portalId)) : null,
      appId: row.app_id === null ? null : Number(row.app_id),
      version: row.token_version,
      refusedVersion: row.refresh_refused_version,
      leaseUntil: row.refresh_lease_until ? new Date(row.refresh_lease_until) : null,
    };
  }

  private requireCipher(): TokenCipher {
    if (!this.cipher) throw new Error('TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_KEYS is not configured in this service');
    return this.cipher;
  }
}
