import {
  BackfillChanged,
  causedBy,
  deterministicId,
  effectiveShape,
  hubSpotLimitsFor,
  isEventOfType,
  sleep,
  StreamIds,
  type BackfillProgress,
  type BackfillRepository,
  type BackfillRow,
  type CapabilityName,
  type Clock,
  type EventStore,
  type HubSpotBudget,
  type HubSpotCredential,
  type Logger,
  type PlatformEvent,
  type Portal,
  type PortalAccess,
  type TopicNames,
} from '@app/common';
import type { BackfillLister } from './backfill-lister';
import { callsPerRecord, nextStep, pacingFor, refillAllowance, type Pacing, type RecordAllowance } from './backfill-pacing';
import type { BackfillQuery } from './backfill-search';

export interface BackfillJobDeps {
  backfills: BackfillRepository;
  progress: BackfillProgress;
  lister: BackfillLister;
  portals: PortalAccess;
  budget: HubSpotBudget;
  eventStore: EventStore;
  topics: TopicNames;
  clock: Clock;
  logger: Logger;
  /** This runner's lease owner id. */
  owner: string;
  share: number;
  defaultHeadroom: number;
  timing: BackfillTiming;
}

export interface BackfillTiming {
  /** A claimed backfill is the claimer's for this long unless renewed. */
  leaseMs: number;
  /** The lease is renewed (and the row read again) this often. */
  renewEveryMs: number;
  /** How often a waiting backfill looks again (records decided, an operator's pause). */
  tickMs: number;
  /** The pace is measured again this often. */
  pacingEveryMs: number;
  /** A queued record with no end after this long no longer counts as in flight (its trigger was lost). */
  staleInFlightMs: number;
}

export const DEFAULT_BACKFILL_TIMING: BackfillTiming = { leaseMs: 30_000, renewEveryMs: 5_000, tickMs: 200, pacingEveryMs: 3_000, staleInFlightMs: 10 * 60_000 };

const MAX_WAIT_MS = 1_000;
const RETRY_WAIT_MS = 2_000;

/**
 * One backfill worked by the runner holding its lease: list a page, queue its
 * records at the pace (docs/decisions/0021), list the next, until everything is
 * listed, queued and decided; then BackfillCompleted. Every step commits its events
 * and the row together, guarded by the lease and the status, so an operator's pause
 * or cancel, or a runner taking over, stops it at the next step (BackfillChanged).
 */
export class BackfillJob {
  private row: BackfillRow;
  private request?: PlatformEvent<'BackfillRequested'>;
  /** Queued records without an end yet, by BackfillRecordListed id: when each was queued. */
  private readonly inFlight = new Map<string, number>();
  private allowance: RecordAllowance;
  private pacing?: Pacing;
  private pacedAtMs = 0;
  private renewedAtMs: number;
  private lastSearchAtMs = 0;
  private lastPageSize = 0;
  private readonly log: Logger;

  constructor(
    private readonly deps: BackfillJobDeps,
    claimed: BackfillRow,
    private readonly stopping: () => boolean,
  ) {
    this.row = claimed;
    const now = deps.clock().getTime();
    this.renewedAtMs = now;
    this.allowance = { tokens: 0, atMs: now };
    this.log = deps.logger.child({ backfillId: claimed.backfillId, portalId: claimed.portalId });
  }

  /** Works the backfill until it ends, an operator stops it, the lease is lost or the runner stops. */
  async run(): Promise<void> {
    try {
      if (!(await this.restore())) return;
      while (!this.stopping()) {
        if (!(await this.renewIfDue())) return;
        const found = await this.deps.portals.get(this.row.portalId);
        if (!found) return void (await this.fail(`portal ${this.row.portalId} is not registered (offboarded?)`, null));
        if (found.portal.status !== 'active') {
          // Its records would only be skipped: wait for the portal to be active again.
          await sleep(MAX_WAIT_MS);
          continue;
        }
        const now = this.deps.clock().getTime();
        await this.settle(now);
        const pacing = await this.pace(found.portal, now);
        this.allowance = refillAllowance(this.allowance, pacing.recordsPerTenSeconds, now);
        const step = nextStep(
          {
            pending: this.row.pending.length,
            exhausted: this.row.exhausted,
            listed: this.row.listed,
            limit: this.row.limit,
            inFlight: this.inFlight.size,
            lastPageSize: this.lastPageSize,
            allowance: this.allowance,
            pacing,
            searchWaitMs: Math.max(0, this.lastSearchAtMs + pacing.searchIntervalMs - now),
          },
          this.deps.timing.tickMs,
        );
        switch (step.kind) {
          case 'queue':
            await this.queue(step.count);
            break;
          case 'list':
            if (await this.list(found.token, found.portal, step.pageSize)) return;
            break;
          case 'complete':
            await this.complete();
            return;
          case 'wait':
            await sleep(Math.min(step.ms, MAX_WAIT_MS));
            break;
        }
      }
    } catch (error) {
      if (error instanceof BackfillChanged) return; // paused, cancelled or taken over: nothing of the step committed
      throw error;
    }
  }

  /** The request (its filter lives only in the sealed event) and the records a previous runner left in flight. */
  private async restore(): Promise<boolean> {
    const stream = await this.deps.eventStore.readStream(StreamIds.backfill(this.row.portalId, this.row.backfillId), 0);
    const first = stream[0];
    if (!first || !isEventOfType(first, 'BackfillRequested')) {
      await this.fail('the backfill has no BackfillRequested event', null);
      return false;
    }
    this.request = first;
    const now = this.deps.clock().getTime();
    for (const id of await this.deps.progress.unsettled(this.row.backfillId)) this.inFlight.set(id, now);
    if (this.inFlight.size > 0) this.log.info('backfill taken over', { inFlight: this.inFlight.size, listed: this.row.listed, queued: this.row.queued });
    return true;
  }

  private async renewIfDue(): Promise<boolean> {
    const now = this.deps.clock().getTime();
    if (now - this.renewedAtMs < this.deps.timing.renewEveryMs) return true;
    const row = await this.deps.backfills.renew(this.row.backfillId, this.deps.owner, this.deps.timing.leaseMs);
    if (!row) return false;
    this.row = row;
    this.renewedAtMs = now;
    return true;
  }

  /** Forgets the records that reached an end (and those queued so long ago that their trigger must have been lost). */
  private async settle(now: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    for (const id of await this.deps.progress.settled([...this.inFlight.keys()])) this.inFlight.delete(id);
    for (const [id, queuedAt] of this.inFlight) {
      if (now - queuedAt < this.deps.timing.staleInFlightMs) continue;
      this.inFlight.delete(id);
      this.log.warn('a backfilled record has had no decision for too long; no longer waiting for it', { recordEventId: id });
    }
  }

  private async pace(portal: Portal, now: number): Promise<Pacing> {
    if (this.pacing && now - this.pacedAtMs < this.deps.timing.pacingEveryMs) return this.pacing;
    const plan = portal.settings.hubspot ?? {};
    const shape = effectiveShape(hubSpotLimitsFor(plan), plan.headroom ?? this.deps.defaultHeadroom, await this.deps.budget.snapshot(portal.portalId));
    const calls = callsPerRecord(await this.deps.progress.callsSample(this.row.backfillId));
    const pacing = pacingFor({ standardPerTenSeconds: shape.standard.limit, searchPerSecond: shape.search.limit }, this.deps.share, calls);
    if (!this.pacing || this.pacing.recordsPerTenSeconds !== pacing.recordsPerTenSeconds) this.log.info('backfill pace', { ...pacing });
    this.pacing = pacing;
    this.pacedAtMs = now;
    return pacing;
  }

  /** Appends a BackfillRecordListed per record on its own stream, for the enricher's trigger topic, with the row's counts. */
  private async queue(count: number): Promise<void> {
    const { backfillId, portalId, objectType, capability } = this.row;
    const now = this.deps.clock();
    const ids = this.row.pending.slice(0, count);
    const rest = this.row.pending.slice(count);
    const queued = this.row.queued + ids.length;
    const requests = ids.map((objectId) => {
      const listed: PlatformEvent<'BackfillRecordListed'> = causedBy(
        this.request!,
        { type: 'BackfillRecordListed', portalId, id: deterministicId('backfill-record', backfillId, objectId), data: { backfillId, capability, objectType, objectId } },
        now,
      );
      // Keyed by the portal on the webhooks topic, like the record's own webhooks: the normal decision path.
      return { streamId: StreamIds.crmObject(portalId, objectType, objectId), events: [listed], publishTo: this.deps.topics.webhooksRaw };
    });
    const result = await this.deps.eventStore.appendAll(requests, (manager) => this.deps.backfills.recordQueuedIn(manager, backfillId, this.deps.owner, rest, queued));
    if (result.kind === 'conflict') return; // 'any' expected: cannot happen
    for (const request of requests) this.inFlight.set(request.events[0]!.id, now.getTime());
    this.allowance = { ...this.allowance, tokens: this.allowance.tokens - ids.length };
    this.row = { ...this.row, pending: rest, queued };
  }

  /** Lists the next page; true when the backfill failed (an operator must act). */
  private async list(token: HubSpotCredential, portal: Portal, pageSize: number): Promise<boolean> {
    const { backfillId, portalId, objectType } = this.row;
    const query: BackfillQuery = { objectType, since: this.row.since, before: new Date(this.request!.occurredAt), filter: this.request!.data.filter };
    this.lastSearchAtMs = this.deps.clock().getTime();
    const page = await this.deps.lister.page({ portalId, token, plan: portal.settings.hubspot }, this.row.capability as CapabilityName, query, this.row.cursor, pageSize);
    switch (page.kind) {
      case 'retry':
        this.log.warn('backfill listing will try again', { reason: page.reason });
        await sleep(Math.min(page.waitMs ?? RETRY_WAIT_MS, 10_000));
        return false;
      case 'failed':
        await this.fail(page.reason, page.hubspotStatus, page.missingScopes);
        return true;
      case 'page': {
        const ids = this.row.limit === null ? page.ids : page.ids.slice(0, Math.max(0, this.row.limit - this.row.listed));
        const listed = this.row.listed + ids.length;
        const cursor = ids.at(-1) ?? this.row.cursor;
        const exhausted = !page.more || ids.length === 0;
        const expected = Math.min(this.row.limit ?? Number.MAX_SAFE_INTEGER, this.row.listed + page.total);
        const progressed = causedBy(this.request!, { type: 'BackfillProgressed', portalId, data: { listed, cursor, expected } }, this.deps.clock());
        const pending = [...this.row.pending, ...ids];
        await this.deps.eventStore.appendAll([{ streamId: StreamIds.backfill(portalId, backfillId), events: [progressed] }], (manager) =>
          this.deps.backfills.recordPageIn(manager, backfillId, this.deps.owner, { cursor, pending, listed, expected, exhausted }),
        );
        this.row = { ...this.row, cursor, pending, listed, expected, exhausted };
        this.lastPageSize = ids.length;
        return false;
      }
    }
  }

  private async complete(): Promise<void> {
    const { backfillId, portalId, listed } = this.row;
    const completed = causedBy(this.request!, { type: 'BackfillCompleted', portalId, id: deterministicId('backfill-completed', backfillId), data: { listed } }, this.deps.clock());
    await this.deps.eventStore.appendAll([{ streamId: StreamIds.backfill(portalId, backfillId), events: [completed] }], (manager) =>
      this.deps.backfills.finishIn(manager, backfillId, this.deps.owner, { status: 'completed', reason: null, hubspotStatus: null }),
    );
    this.log.info('backfill completed', { listed });
  }

  private async fail(reason: string, hubspotStatus: number | null, missingScopes?: string[]): Promise<void> {
    const { backfillId, portalId } = this.row;
    const data = { reason, hubspotStatus, ...(missingScopes ? { missingScopes } : {}) };
    const cause = this.request ?? { id: backfillId, correlationId: backfillId };
    const failed = causedBy(cause, { type: 'BackfillFailed', portalId, data }, this.deps.clock());
    await this.deps.eventStore.appendAll([{ streamId: StreamIds.backfill(portalId, backfillId), events: [failed] }], (manager) =>
      this.deps.backfills.finishIn(manager, backfillId, this.deps.owner, { status: 'failed', reason, hubspotStatus }),
    );
    this.log.warn('backfill failed', { reason, hubspotStatus });
  }
}
