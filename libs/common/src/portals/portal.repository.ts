import { In, type DataSource, type Repository } from 'typeorm';
import { isUniqueViolation } from '../database/postgres-errors';
import { PortalEntity, type PortalAlerts, type PortalSettings, type PortalStatus } from './portal.entity';
import type { PortalAlertKind } from '../events/event-types';
import type { TokenCipher } from './token-cipher';
import type { Keyring } from '../crypto/keyring';
import { PortalCredentials, type NewPortalSecrets } from '../connections/portal-credentials';
import { EventStore } from '../event-store/event-store.repository';
import { startStory } from '../events/envelope';
import type { PlatformEvent } from '../events/event-types';
import { PortalExistsError, PortalLifecycle } from './portal-lifecycle';
import { portalChangeEvents } from './portal-changes';
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
  /** Every write below is a portal event applied to the projection (docs/decisions/0020). */
  private readonly lifecycle: PortalLifecycle;

  constructor(
    dataSource: DataSource,
    /** Absent in services that never handle tokens (the scheduler). */
    private readonly cipher: TokenCipher | undefined,
  ) {
    this.repo = dataSource.getRepository(PortalEntity);
    this.credentials = new PortalCredentials(dataSource, cipher);
    this.lifecycle = new PortalLifecycle(new EventStore(dataSource), dataSource);
  }

  /** The keyring tokens are encrypted with; undefined in services without keys. */
  get keyring(): Keyring | undefined {
    return this.cipher?.keyring;
  }

  /**
   * Registers a portal with its token as it is (no question to HubSpot: the admin API
   * and the OAuth install use PortalConnector, which asks first). For tools, benchmarks
   * and tests; recorded as PortalRegistered like any registration.
   */
  async register(input: NewPortal): Promise<RegisterResult> {
    this.requireCipher();
    if (await this.find(input.portalId)) return { kind: 'exists' };
    const now = new Date();
    const registered: PlatformEvent<'PortalRegistered'> = startStory({ type: 'PortalRegistered' as const, portalId: input.portalId, data: { name: input.name, status: 'active' as const, settings: input.settings ?? {}, via: 'admin' as const } }, now);
    try {
      await this.lifecycle.record(input.portalId, [registered], (manager) => this.credentials.save(input.portalId, { mode: 'token', ...input.secrets, accessToken: input.accessToken }, manager), { mustBeNew: true });
    } catch (error) {
      if (error instanceof PortalExistsError || isUniqueViolation(error)) return { kind: 'exists' };
      throw error;
    }
    return { kind: 'registered', portal: (await this.find(input.portalId))! };
  }

  async find(portalId: number): Promise<Portal | undefined> {
    const entity = await this.repo.findOneBy({ portalId });
    return entity ? toPortal(entity) : undefined;
  }

  async findMany(portalIds: number[]): Promise<Portal[]> {
    if (portalIds.length === 0) return [];
    return (await this.repo.findBy({ portalId: In(portalIds) })).map(toPortal);
  }

  /** Name, status and settings (merged, top-level) as PortalSettingsChanged and PortalStatusChanged, like the admin API's PATCH. */
  async updateSettings(portalId: number, changes: { name?: string; status?: PortalStatus; settings?: PortalSettings }, requestedBy = 'admin'): Promise<Portal | undefined> {
    const current = await this.find(portalId);
    if (!current) return undefined;
    const events = portalChangeEvents(current, changes, requestedBy, new Date());
    if (events.length > 0) await this.lifecycle.record(portalId, events);
    return this.find(portalId);
  }

  /**
   * Records an alert on the portal; `pause` also stops the platform's work for it
   * (an active portal only: a disabled one stays disabled). OperatorAlerts is the
   * services' way (it also logs); this is the same event.
   */
  async raiseAlert(portalId: number, kind: PortalAlertKind, message: string, options: { pause: boolean; now: Date }): Promise<void> {
    await this.lifecycle.record(portalId, [startStory({ type: 'PortalAlertRaised', portalId, data: { alert: kind, message, hubspotStatus: null, pause: options.pause } }, options.now)]);
  }

  async replaceAccessToken(portalId: number, accessToken: string): Promise<void> {
    await this.credentials.replaceAccessToken(portalId, accessToken);
  }

  /** Removes every alert of the portal (PortalAlertsCleared). */
  async clearAlerts(portalId: number, requestedBy = 'admin'): Promise<void> {
    const current = await this.find(portalId);
    const events = current ? portalChangeEvents(current, { clearAlerts: true }, requestedBy, new Date()) : [];
    if (events.length > 0) await this.lifecycle.record(portalId, events);
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
