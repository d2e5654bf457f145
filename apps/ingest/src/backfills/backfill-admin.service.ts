import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  AppConfig,
  BackfillAlreadyOpen,
  BackfillChanged,
  BackfillProgress,
  BackfillRepository,
  CAPABILITY_REQUIREMENTS,
  capabilityForObjectType,
  causedBy,
  CLOCK,
  EventStore,
  isEventId,
  missingScopes,
  PortalRepository,
  startStory,
  StreamIds,
  type BackfillRow,
  type BackfillStatus,
  type CapabilityName,
  type Clock,
  type PlatformEvent,
} from '@app/common';
import { presentBackfill, summarise, type BackfillReport, type BackfillSummary } from './backfill-report';
import { filterProblems, type RequestBackfillDto } from './backfill.dto';

export type BackfillRequestResult =
  | { kind: 'accepted'; report: BackfillReport }
  | { kind: 'portal-not-found' }
  /** The request itself is wrong (a capability that does not score the object type, a filter missing its value). */
  | { kind: 'invalid'; problems: string[] }
  /** The portal's recorded scopes lack what the capability needs. */
  | { kind: 'missing-scopes'; capability: CapabilityName; scopes: string[] }
  /** The portal has an unfinished backfill (one at a time: each takes the portal's whole backfill share). */
  | { kind: 'already-open'; backfillId: string; status: BackfillStatus };

export type BackfillAction = 'pause' | 'resume' | 'cancel';

export type BackfillActionResult = { kind: 'done'; report: BackfillReport } | { kind: 'not-found' } | { kind: 'not-allowed'; status: BackfillStatus };

/** Which statuses an operator's action applies to, what it leads to and the event that says so. */
const ACTIONS: Record<BackfillAction, { from: readonly BackfillStatus[]; to: BackfillStatus; event: 'BackfillPaused' | 'BackfillResumed' | 'BackfillCancelled' }> = {
  pause: { from: ['running'], to: 'paused', event: 'BackfillPaused' },
  resume: { from: ['paused', 'failed'], to: 'running', event: 'BackfillResumed' },
  cancel: { from: ['running', 'paused', 'failed'], to: 'cancelled', event: 'BackfillCancelled' },
};

const REQUESTED_BY = 'admin-api';

/**
 * Backfills through the admin API (docs/decisions/0021): a request is the
 * BackfillRequested event and the `backfills` row, committed together; the enricher's
 * runner picks it up from the row. Reports count the backfill's story in the store.
 */
@Injectable()
export class BackfillAdminService {
  constructor(
    private readonly config: AppConfig,
    private readonly portals: PortalRepository,
    private readonly backfills: BackfillRepository,
    private readonly progress: BackfillProgress,
    private readonly eventStore: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async request(portalId: number, dto: RequestBackfillDto): Promise<BackfillRequestResult> {
    const portal = await this.portals.find(portalId);
    if (!portal) return { kind: 'portal-not-found' };
    const capability = dto.capability ?? capabilityForObjectType(dto.objectType);
    const problems = [...filterProblems(dto.filter ?? [])];
    if (!capability) problems.push(`no capability scores ${dto.objectType}`);
    else if (!CAPABILITY_REQUIREMENTS[capability].properties.some((p) => p.objectType === dto.objectType)) {
      problems.push(`capability ${capability} does not score ${dto.objectType} (${capabilityForObjectType(dto.objectType) ?? 'none'} does)`);
    }
    if (problems.length > 0 || !capability) return { kind: 'invalid', problems };
    // Scopes are known for portals connected since connections were recorded; older ones find out at the first search.
    const scopes = portal.connection.scopes;
    if (Array.isArray(scopes)) {
      const missing = missingScopes(capability, scopes);
      if (missing.length > 0) return { kind: 'missing-scopes', capability, scopes: missing };
    }
    const open = await this.backfills.findOpen(portalId);
    if (open) return { kind: 'already-open', backfillId: open.backfillId, status: open.status };

    const now = this.clock();
    const backfillId = randomUUID();
    const since = dto.since ? new Date(dto.since) : null;
    const requested = startStory(
      {
        type: 'BackfillRequested',
        portalId,
        id: backfillId,
        data: {
          backfillId,
          capability,
          objectType: dto.objectType,
          since: since?.toISOString() ?? null,
          filter: dto.filter?.length ? dto.filter.map((f) => ({ ...f })) : null,
          limit: dto.limit ?? null,
          budgetShare: this.config.backfillBudgetShare,
          requestedBy: REQUESTED_BY,
        },
      },
      now,
    ) as PlatformEvent<'BackfillRequested'>;
    try {
      await this.eventStore.appendAll([{ streamId: StreamIds.backfill(portalId, backfillId), events: [requested], expectedVersion: 'no-stream' }], (manager) =>
        this.backfills.insertIn(manager, { backfillId, portalId, capability, objectType: dto.objectType, since, limit: dto.limit ?? null, requestedAt: now }),
      );
    } catch (error) {
      // Another request for the portal committed first.
      if (!(error instanceof BackfillAlreadyOpen)) throw error;
      const other = await this.backfills.findOpen(portalId);
      if (other) return { kind: 'already-open', backfillId: other.backfillId, status: other.status };
      throw error;
    }
    return { kind: 'accepted', report: (await this.report(portalId, backfillId))! };
  }

  async report(portalId: number, backfillId: string): Promise<BackfillReport | undefined> {
    if (!isEventId(backfillId)) return undefined;
    const row = await this.backfills.find(portalId, backfillId);
    return row && this.present(row);
  }

  /** The portal's backfills, newest first; undefined for an unknown portal. */
  async list(portalId: number): Promise<BackfillSummary[] | undefined> {
    if (!(await this.portals.find(portalId))) return undefined;
    return (await this.backfills.listByPortal(portalId)).map(summarise);
  }

  /** Pause (listing stops; records already queued are still decided), resume (from the cursor) or cancel (queued records are skipped). */
  async act(portalId: number, backfillId: string, action: BackfillAction): Promise<BackfillActionResult> {
    const row = isEventId(backfillId) ? await this.backfills.find(portalId, backfillId) : undefined;
    if (!row) return { kind: 'not-found' };
    const { from, to, event } = ACTIONS[action];
    // Asking again for what already is: nothing to record.
    if (row.status === to) return { kind: 'done', report: (await this.present(row))! };
    if (!from.includes(row.status)) return { kind: 'not-allowed', status: row.status };
    const recorded = causedBy({ id: backfillId, correlationId: backfillId }, { type: event, portalId, data: { requestedBy: REQUESTED_BY } }, this.clock());
    try {
      await this.eventStore.appendAll([{ streamId: StreamIds.backfill(portalId, backfillId), events: [recorded] }], (manager) => this.backfills.transitionIn(manager, backfillId, from, to));
    } catch (error) {
      if (!(error instanceof BackfillChanged)) throw error;
      const now = await this.backfills.find(portalId, backfillId);
      return { kind: 'not-allowed', status: now?.status ?? row.status };
    }
    return { kind: 'done', report: (await this.report(portalId, backfillId))! };
  }

  private async present(row: BackfillRow): Promise<BackfillReport | undefined> {
    const now = this.clock();
    const [stream, counts] = await Promise.all([this.eventStore.readStream(StreamIds.backfill(row.portalId, row.backfillId)), this.progress.counts(row.backfillId, now)]);
    return presentBackfill(row, stream, counts, now);
  }
}
