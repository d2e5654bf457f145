import type { DataSource, EntityManager } from 'typeorm';
import type { EventStore } from '../event-store/event-store.repository';
import { causedBy, deterministicId, startStory, type EventEnvelope } from '../events/envelope';
import type { CrmObjectType, ErasureReason, PlatformEvent } from '../events/event-types';
import { StreamIds } from '../events/stream-ids';
import type { Clock } from '../platform/tokens';
import type { PortalSettings } from '../portals/portal.entity';
import { recordSubject } from './personal-fields';
import type { SubjectKeys } from './subject-keys';
import { returnedRows } from '../database/returned-rows';

/** How long a portal's personal data is kept when its settings do not say (`retention.personalDataDays`). */
export const DEFAULT_PERSONAL_DATA_DAYS = 365;
export const MAX_PERSONAL_DATA_DAYS = 3650;

/** A portal's retention period for personal data, in days. */
export function retentionDaysOf(settings: PortalSettings | undefined | null): number {
  const days = settings?.retention?.personalDataDays;
  return typeof days === 'number' && Number.isInteger(days) && days >= 1 && days <= MAX_PERSONAL_DATA_DAYS ? days : DEFAULT_PERSONAL_DATA_DAYS;
}

export interface SubjectErasureRequest {
  portalId: number;
  objectType: CrmObjectType;
  objectId: string;
  reason: ErasureReason;
  /** `hubspot` (a privacy-deletion webhook), `admin`. */
  requestedBy: string;
  /** The event that asked for it (the webhook), whose story the erasure joins. */
  cause?: EventEnvelope;
}

export interface RetentionReport {
  /** Portals whose days past their retention period were erased. */
  expired: Array<{ portalId: number; retentionDays: number; before: string; keysErased: number }>;
  /** Offboarded portals whose personal data was erased now. */
  offboarded: Array<{ portalId: number; keysErased: number }>;
}

export interface OffboardResult {
  event: PlatformEvent<'PortalOffboarded'>;
  /** Set when the personal data was erased at once (`eraseNow`). */
  erasedNow?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Erases personal data by destroying the data keys that sealed it
 * (docs/decisions/0019): a subject's on request (the admin API, HubSpot's
 * `contact.privacyDeletion`), a portal's days past its retention period, and an
 * offboarded portal's after its period. Each erasure is recorded as an event that
 * names the record, never its data.
 */
export class PersonalDataErasure {
  constructor(
    private readonly dataSource: DataSource,
    private readonly eventStore: EventStore,
    private readonly keys: SubjectKeys,
    private readonly clock: Clock,
  ) {}

  /**
   * Destroys every data key of the record (every day's), clears an open coalescing
   * window of its property values, and records SubjectErased on the record's stream,
   * all in one transaction. Events sealed under several subjects (a ticket's snapshot
   * quoting its requester) are unreadable once any one of their keys is gone.
   */
  async eraseSubject(request: SubjectErasureRequest): Promise<PlatformEvent<'SubjectErased'>> {
    const { portalId, objectType, objectId } = request;
    const subject = recordSubject(objectType, objectId);
    const now = this.clock();
    return this.dataSource.transaction(async (manager) => {
      const erased = await this.keys.eraseSubjects(portalId, [subject], request.reason, now, manager);
      const alsoCleared: string[] = [];
      const windows = returnedRows(await manager.query(`DELETE FROM coalescing_windows WHERE portal_id = $1 AND object_type = $2 AND object_id = $3 RETURNING 1`, [portalId, objectType, objectId]));
      if (windows.length > 0) alsoCleared.push('the open coalescing window of its property changes (no ObjectChanged will follow)');
      const days = erased.map((k) => k.day).sort();
      const data: PlatformEvent<'SubjectErased'>['data'] = {
        subject,
        objectType,
        objectId,
        reason: request.reason,
        requestedBy: request.requestedBy,
        keysErased: erased.length,
        days: { first: days[0] ?? null, last: days[days.length - 1] ?? null },
        alsoCleared,
      };
      const input = { type: 'SubjectErased' as const, portalId, data, ...(request.cause ? { id: deterministicId('subject-erased', request.cause.id) } : {}) };
      const event = (request.cause ? causedBy(request.cause, input, now) : startStory(input, now)) as PlatformEvent<'SubjectErased'>;
      await this.eventStore.appendAllIn(manager, [{ streamId: StreamIds.crmObject(portalId, objectType, objectId), events: [event] }]);
      return event;
    });
  }

  /**
   * Offboards a portal: its row (with its encrypted token), HubSpot budget and open
   * coalescing windows are deleted at once; its personal data stays until its
   * retention period has passed (or goes now with `eraseNow`), then every data key
   * created before the offboarding is destroyed. Undefined when it is not registered.
   */
  async offboard(portalId: number, options: { requestedBy: string; eraseNow?: boolean }): Promise<OffboardResult | undefined> {
    const now = this.clock();
    const event = await this.dataSource.transaction(async (manager) => {
      // The portal stream's lock first, as every portal event takes it before the row (PortalLifecycle): never the reverse order, which could deadlock.
      await this.eventStore.lockStreams(manager, [StreamIds.portal(portalId)]);
      const [portal] = (await manager.query(`SELECT settings FROM portals WHERE portal_id = $1 FOR UPDATE`, [portalId])) as Array<{ settings: PortalSettings }>;
      if (!portal) return undefined;
      const days = retentionDaysOf(portal.settings);
      const eraseAt = options.eraseNow ? now : new Date(now.getTime() + days * DAY_MS);
      await manager.query(
        `INSERT INTO portal_offboardings (portal_id, offboarded_at, personal_data_days, erase_personal_data_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (portal_id) DO UPDATE SET offboarded_at = EXCLUDED.offboarded_at, personal_data_days = EXCLUDED.personal_data_days,
           erase_personal_data_at = EXCLUDED.erase_personal_data_at, personal_data_erased_at = NULL`,
        [portalId, now, days, eraseAt],
      );
      await manager.query(`DELETE FROM portals WHERE portal_id = $1`, [portalId]);
      await manager.query(`DELETE FROM portal_credentials WHERE portal_id = $1`, [portalId]);
      await manager.query(`DELETE FROM hubspot_budgets WHERE portal_id = $1`, [portalId]);
      await manager.query(`DELETE FROM coalescing_windows WHERE portal_id = $1`, [portalId]);
      // The review's change detection (hashes of the deals' names and facts): a portal installed again is assessed afresh.
      await manager.query(`DELETE FROM deal_assessments WHERE portal_id = $1`, [portalId]);
      const offboarded = startStory(
        { type: 'PortalOffboarded' as const, portalId, data: { requestedBy: options.requestedBy, tokensErased: true, personalDataDays: days, erasePersonalDataAt: eraseAt.toISOString() } },
        now,
      ) as PlatformEvent<'PortalOffboarded'>;
      await this.eventStore.appendAllIn(manager, [{ streamId: StreamIds.portal(portalId), events: [offboarded] }]);
      return offboarded;
    });
    if (!event) return undefined;
    if (!options.eraseNow) return { event };
    const [done] = await this.eraseOffboarded(now, portalId);
    return { event, erasedNow: done?.keysErased ?? 0 };
  }

  /**
   * One retention run (the scheduler's, hourly): offboarded portals past their
   * period lose every key created before the offboarding; every portal loses its
   * keys of the days before its period (`retention.personalDataDays`, default
   * DEFAULT_PERSONAL_DATA_DAYS; for an unregistered portal its offboarding's, else the
   * default). Idempotent: a second run the same day finds nothing to erase.
   */
  async runRetention(): Promise<RetentionReport> {
    const now = this.clock();
    const offboarded = await this.eraseOffboarded(now);

    const configured = (await this.dataSource.query(`SELECT portal_id::text, settings FROM portals`)) as Array<{ portal_id: string; settings: PortalSettings }>;
    const offboardings = (await this.dataSource.query(`SELECT portal_id::text, personal_data_days FROM portal_offboardings`)) as Array<{ portal_id: string; personal_data_days: number }>;
    const daysOf = new Map<number, number>();
    for (const row of offboardings) daysOf.set(Number(row.portal_id), row.personal_data_days);
    for (const row of configured) daysOf.set(Number(row.portal_id), retentionDaysOf(row.settings));
    const shortest = Math.min(DEFAULT_PERSONAL_DATA_DAYS, ...daysOf.values());

    const expired: RetentionReport['expired'] = [];
    for (const portalId of await this.keys.portalsWithKeysBefore(dayBefore(now, shortest))) {
      const retentionDays = daysOf.get(portalId) ?? DEFAULT_PERSONAL_DATA_DAYS;
      const before = dayBefore(now, retentionDays);
      const keysErased = await this.keys.eraseDaysBefore(portalId, before, 'retention', now);
      if (keysErased === 0) continue;
      expired.push({ portalId, retentionDays, before, keysErased });
      await this.record(portalId, { reason: 'retention', retentionDays, before, keysErased }, deterministicId('personal-data-expired', portalId, before), now);
    }
    return { expired, offboarded };
  }

  /** Erases the personal data of offboarded portals whose time has come (or of this one). */
  private async eraseOffboarded(now: Date, onlyPortal?: number): Promise<RetentionReport['offboarded']> {
    const due = (await this.dataSource.query(
      `SELECT portal_id::text, offboarded_at, personal_data_days FROM portal_offboardings
        WHERE erase_personal_data_at <= $1 AND personal_data_erased_at IS NULL AND ($2::bigint IS NULL OR portal_id = $2)`,
      [now, onlyPortal ?? null],
    )) as Array<{ portal_id: string; offboarded_at: Date; personal_data_days: number }>;
    const done: RetentionReport['offboarded'] = [];
    for (const row of due) {
      const portalId = Number(row.portal_id);
      const offboardedAt = new Date(row.offboarded_at);
      // Created before the offboarding: keys of a portal registered again since are its new tenancy's.
      const keysErased = await this.keys.eraseCreatedBefore(portalId, new Date(offboardedAt.getTime() + 1), 'offboarding', now);
      await this.dataSource.query(`UPDATE portal_offboardings SET personal_data_erased_at = $2 WHERE portal_id = $1`, [portalId, now]);
      done.push({ portalId, keysErased });
      await this.record(
        portalId,
        { reason: 'offboarding', retentionDays: row.personal_data_days, before: offboardedAt.toISOString(), keysErased },
        deterministicId('personal-data-offboarded', portalId, offboardedAt.toISOString()),
        now,
      );
    }
    return done;
  }

  private async record(portalId: number, data: PlatformEvent<'PersonalDataExpired'>['data'], id: string, now: Date, manager?: EntityManager): Promise<void> {
    const event = startStory({ type: 'PersonalDataExpired' as const, portalId, id, data }, now);
    const request = { streamId: StreamIds.privacy(portalId), events: [event] };
    if (manager) await this.eventStore.appendAllIn(manager, [request]);
    else await this.eventStore.append(request);
  }
}

/** The UTC day `days` days before `now`'s (YYYY-MM-DD): keys of earlier days are past a period of `days`. */
export function dayBefore(now: Date, days: number): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - days * DAY_MS).toISOString().slice(0, 10);
}
