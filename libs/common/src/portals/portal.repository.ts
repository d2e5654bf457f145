import { In, type DataSource, type Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { isUniqueViolation } from '../database/postgres-errors';
import { PortalEntity, type PortalAlerts, type PortalSettings, type PortalStatus } from './portal.entity';
import type { PortalAlertKind } from '../events/event-types';
import type { TokenCipher } from './token-cipher';
import type { Keyring } from '../crypto/keyring';
import { PortalCredentials, type NewPortalSecrets } from '../connections/portal-credentials';
import type { PortalAccount, PortalConnection } from '../events/event-types';

export interface NewPortal {
  portalId: number;
  name: string;
  accessToken: string;
  settings?: PortalSettings;
  /** How it is connected: absent = a pasted token (mode `token`). */
  secrets?: Omit<NewPortalSecrets, 'accessToken'>;
}

/** A portal as the rest of the platform sees it: never the token ciphertext. */
export interface Portal {
  portalId: number;
  name: string;
  status: PortalStatus;
  settings: PortalSettings;
  alerts: PortalAlerts;
  /** HubSpot's account details ({} until read at onboarding). */
  account: Partial<PortalAccount>;
  /** How it is connected ({} for portals registered before connections existed); `disconnectedAt` after DELETE …/connection, until it connects again. */
  connection: Partial<PortalConnection> & { connectedAt?: string; disconnectedAt?: string };
  createdAt: string;
  updatedAt: string;
}

export type RegisterResult = { kind: 'registered'; portal: Portal } | { kind: 'exists' };

/** The tenant registry. Tokens are encrypted on the way in and decrypted only on request. */
export class PortalRepository {
  private readonly repo: Repository<PortalEntity>;
  /** The portals' secrets (tokens, client secrets), in their own table. */
  readonly credentials: PortalCredentials;

  constructor(
    private readonly dataSource: DataSource,
    /** Absent in services that never handle tokens (the scheduler). */
    private readonly cipher: TokenCipher | undefined,
  ) {
    this.repo = dataSource.getRepository(PortalEntity);
    this.credentials = new PortalCredentials(dataSource, cipher);
  }

  /** The keyring tokens are encrypted with; undefined in services without keys. */
  get keyring(): Keyring | undefined {
    return this.cipher?.keyring;
  }

  async register(input: NewPortal): Promise<RegisterResult> {
    const entity = this.repo.create({
      portalId: input.portalId,
      name: input.name,
      status: 'active',
      settings: input.settings ?? {},
    });
    this.requireCipher();
    try {
      await this.dataSource.transaction(async (manager) => {
        // TypeORM's deep-partial type cannot see through the open settings record.
        await manager.getRepository(PortalEntity).insert(entity as QueryDeepPartialEntity<PortalEntity>);
        await this.credentials.save(input.portalId, { mode: 'token', ...input.secrets, accessToken: input.accessToken }, manager);
      });
    } catch (error) {
      if (isUniqueViolation(error)) return { kind: 'exists' };
      throw error;
    }
    const saved = await this.repo.findOneByOrFail({ portalId: input.portalId });
    return { kind: 'registered', portal: toPortal(saved) };
  }

  async find(portalId: number): Promise<Portal | undefined> {
    const entity = await this.repo.findOneBy({ portalId });
    return entity ? toPortal(entity) : undefined;
  }

  async findMany(portalIds: number[]): Promise<Portal[]> {
    if (portalIds.length === 0) return [];
    return (await this.repo.findBy({ portalId: In(portalIds) })).map(toPortal);
  }

  async updateSettings(portalId: number, changes: { name?: string; status?: PortalStatus; settings?: PortalSettings }): Promise<Portal | undefined> {
    const entity = await this.repo.findOneBy({ portalId });
    if (!entity) return undefined;
    if (changes.name !== undefined) entity.name = changes.name;
    if (changes.status !== undefined) entity.status = changes.status;
    if (changes.settings !== undefined) entity.settings = { ...entity.settings, ...changes.settings };
    return toPortal(await this.repo.save(entity));
  }

  /**
   * Records an alert on the portal; `pause` also stops the platform's work for it
   * (an active portal only: a disabled one stays disabled). Atomic, so two writers
   * raising the same alert do not lose each other's change.
   */
  async raiseAlert(portalId: number, kind: PortalAlertKind, message: string, options: { pause: boolean; now: Date }): Promise<void> {
    const alert = JSON.stringify({ [kind]: { message, raisedAt: options.now.toISOString() } });
    await this.repo.query(
      `UPDATE portals SET alerts = alerts || $2::jsonb, status = CASE WHEN $3 AND status = 'active' THEN 'paused' ELSE status END, updated_at = now() WHERE portal_id = $1`,
      [portalId, alert, options.pause],
    );
  }

  async replaceAccessToken(portalId: number, accessToken: string): Promise<void> {
    await this.credentials.replaceAccessToken(portalId, accessToken);
  }

  async clearAlerts(portalId: number): Promise<void> {
    await this.repo.query(`UPDATE portals SET alerts = '{}'::jsonb, updated_at = now() WHERE portal_id = $1`, [portalId]);
  }

  async findActive(): Promise<Portal[]> {
    return (await this.repo.find({ where: { status: 'active' }, order: { portalId: 'ASC' } })).map(toPortal);
  }

  /** The portal and its decrypted token in one query (for services that call HubSpot). */
  async findWithAccessToken(portalId: number): Promise<{ portal: Portal; accessToken: string } | undefined> {
    const entity = await this.repo.findOneBy({ portalId });
    if (!entity) return undefined;
    const secrets = await this.credentials.read(portalId);
    return secrets ? { portal: toPortal(entity), accessToken: secrets.accessToken } : undefined;
  }

  async accessToken(portalId: number): Promise<string | undefined> {
    return (await this.credentials.read(portalId))?.accessToken;
  }

  private requireCipher(): TokenCipher {
    if (!this.cipher) throw new Error('TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_KEYS is not configured in this service');
    return this.cipher;
  }
}

function toPortal(entity: PortalEntity): Portal {
  return {
    portalId: entity.portalId,
    name: entity.name,
    status: entity.status,
    settings: entity.settings,
    alerts: entity.alerts ?? {},
    account: entity.account ?? {},
    connection: entity.connection ?? {},
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}
