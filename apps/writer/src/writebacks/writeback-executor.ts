import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  AppConfig,
  OperatorAlerts,
  backoffDelayMs,
  causedBy,
  CLOCK,
  deadLetterRecorder,
  deterministicId,
  EventStore,
  HubSpotBudget,
  KafkaBus,
  Logger,
  PortalAccess,
  StreamIds,
  TOPICS,
  type AppendRequest,
  type Clock,
  type PlatformEvent,
  type PortalAlertKind,
  type TopicNames,
} from '@app/common';
import type { QueuedCommand, WriteItem } from '../pipeline/portal-queue';
import { batchInputs, operationOf } from './batch-inputs';
import { HubSpotBatchWriter, type CallOutcome, type InputOutcome } from './hubspot-batch-writer';

/** What to do with a batch's items once its call (or the decision not to call) is over. */
export interface BatchVerdict {
  /** Finished for good (recorded or dead-lettered): their offsets may be committed. */
  settled: WriteItem[];
  /** To be tried again, no earlier than `notBeforeMs`. */
  again: Array<{ items: WriteItem[]; attempt?: number; notBeforeMs: number; alone?: boolean }>;
  /** The whole portal waits this long (a 429, a paused portal). */
  portalWaitMs?: number;
}

/** How often a paused portal's queue checks whether an operator resumed it. */
export const PAUSED_RECHECK_MS = 5_000;
const MAX_RETRY_DELAY_MS = 60_000;

/** The id of a command's result event: at most one result per command, ever. */
export function writebackResultId(commandId: string): string {
  return deterministicId('writeback-result', commandId);
}

/**
 * Runs one batch against HubSpot and records everything: the call itself
 * (HubSpotCallCompleted) and each command's result, in one transaction, with the
 * results published to the results topic. Decides per failure class what happens
 * next; never throws for a HubSpot failure.
 */
@Injectable()
export class WritebackExecutor {
  constructor(
    private readonly hubspot: HubSpotBatchWriter,
    private readonly access: PortalAccess,
    private readonly alerts: OperatorAlerts,
    private readonly budget: HubSpotBudget,
    private readonly eventStore: EventStore,
    private readonly bus: KafkaBus,
    private readonly config: AppConfig,
    private readonly logger: Logger,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(portalId: number, batch: WriteItem[]): Promise<BatchVerdict> {
    // Items that failed unexpectedly (not HubSpot: the executor itself) as often as allowed.
    const exhausted = batch.filter((i) => i.attempt >= this.config.consumerMaxAttempts);
    if (exhausted.length > 0) await this.deadLetter(exhausted, `gave up after ${this.config.consumerMaxAttempts} attempts: the writer could not process it`);
    const { fresh, done } = await this.withoutApplied(batch.filter((i) => !exhausted.includes(i)));
    const verdict: BatchVerdict = { settled: [...exhausted, ...done], again: [] };
    if (fresh.length === 0) return verdict;

    const access = await this.access.get(portalId);
    if (!access) {
      await this.deadLetter(fresh, `portal ${portalId} is not registered`);
      return { ...verdict, settled: [...done, ...fresh] };
    }
    if (access.portal.status === 'disabled') {
      await this.eventStore.appendAll(this.results(fresh, () => ({ type: 'WritebackSkipped', status: null, detail: 'portal is disabled' }), undefined));
      return { ...verdict, settled: [...done, ...fresh] };
    }
    if (access.portal.status === 'paused') {
      // Kept, not failed: the queue resumes when an operator reactivates the portal.
      return { ...verdict, again: [{ items: fresh, notBeforeMs: this.now() + PAUSED_RECHECK_MS }], portalWaitMs: PAUSED_RECHECK_MS };
    }

    const outcome = await this.hubspot.call(access.accessToken, operationOf(fresh[0]!.group), batchInputs(fresh), () => this.now());
    await this.budget.observe(portalId, outcome.rateLimit).catch((error: unknown) => this.logger.warn('could not record rate-limit headers', { error, portalId }));
    const callId = randomUUID();
    const callEvent = this.callEvent(portalId, fresh, outcome, callId);

    if (outcome.kind === 'answered') return this.settleAnswered(portalId, fresh, outcome, callEvent, verdict);
    return this.settleFailed(portalId, fresh, outcome, callEvent, verdict);
  }

  private async settleAnswered(portalId: number, items: WriteItem[], outcome: Extract<CallOutcome, { kind: 'answered' }>, callEvent: AppendRequest, verdict: BatchVerdict): Promise<BatchVerdict> {
    const finished: WriteItem[] = [];
    const unreported: WriteItem[] = [];
    let propertyProblem: string | undefined;
    const outcomes = new Map<WriteItem, InputOutcome>();
    items.forEach((item, i) => {
      const o = outcome.perInput[i]!;
      outcomes.set(item, o);
      if (o.kind === 'unreported') unreported.push(item);
      else finished.push(item);
      if (o.kind === 'invalid' && o.propertyProblem) propertyProblem ??= o.message;
    });
    const results = this.results(finished, (item) => {
      const o = outcomes.get(item)!;
      if (o.kind === 'applied') return { type: 'WritebackApplied', status: outcome.status ?? 200, record: o.record };
      if (o.kind === 'not-found') return { type: 'WritebackSkipped', status: outcome.status, detail: `object deleted or merged: ${o.message}` };
      return { type: 'WritebackFailed', status: outcome.status, detail: o.kind === 'invalid' ? o.message : 'unknown' };
    }, callEvent);
    await this.eventStore.appendAll([callEvent, ...results]);
    if (propertyProblem) await this.alert(portalId, items[0]!.commands[0]!, 'property-bootstrap-needed', propertyProblem, outcome.status, false);
    const retry = await this.retryOrDeadLetter(unreported, 'HubSpot answered without a result for this input');
    return { ...verdict, settled: [...verdict.settled, ...finished, ...retry.settled], again: retry.again };
  }

  private async settleFailed(portalId: number, items: WriteItem[], outcome: Extract<CallOutcome, { kind: 'failed' }>, callEvent: AppendRequest, verdict: BatchVerdict): Promise<BatchVerdict> {
    const failure = outcome.failure;
    const now = this.now();
    if (failure.kind === 'retry' && failure.rateLimitPolicy) {
      const waitMs = failure.retryAfterMs ?? PAUSED_RECHECK_MS;
      await this.budget.rateLimited(portalId, failure.rateLimitPolicy, failure.retryAfterMs);
      await this.eventStore.appendAll([callEvent]);
      this.logger.warn('HubSpot answered 429; the portal waits', { portalId, policy: failure.rateLimitPolicy, waitMs });
      return { ...verdict, again: [{ items, notBeforeMs: now + waitMs }], portalWaitMs: waitMs };
    }
    if (failure.kind === 'retry') {
      await this.eventStore.appendAll([callEvent]);
      const retry = await this.retryOrDeadLetter(items, failure.reason);
      return { ...verdict, settled: [...verdict.settled, ...retry.settled], again: retry.again };
    }
    if (failure.kind === 'unauthorized') {
      await this.eventStore.appendAll([callEvent]);
      await this.alert(portalId, items[0]!.commands[0]!, 'access-revoked', failure.reason, outcome.status, true);
      this.access.forget(portalId);
      return { ...verdict, again: [{ items, notBeforeMs: now + PAUSED_RECHECK_MS }], portalWaitMs: PAUSED_RECHECK_MS };
    }
    // A whole-batch 400 or 404: find the input responsible by sending each alone.
    if (items.length > 1) {
      await this.eventStore.appendAll([callEvent]);
      return { ...verdict, again: [{ items, notBeforeMs: now, alone: true }] };
    }
    const type = failure.kind === 'not-found' ? 'WritebackSkipped' : 'WritebackFailed';
    const detail = failure.kind === 'not-found' ? `object deleted or merged: ${outcome.message}` : failure.reason;
    await this.eventStore.appendAll([callEvent, ...this.results(items, () => ({ type, status: outcome.status, detail }), callEvent)]);
    if (failure.kind === 'rejected' && /propert/i.test(outcome.message)) await this.alert(portalId, items[0]!.commands[0]!, 'property-bootstrap-needed', outcome.message, outcome.status, false);
    return { ...verdict, settled: [...verdict.settled, ...items] };
  }

  /** Exponential backoff with jitter until CONSUMER_MAX_ATTEMPTS, then the dead-letter topic. */
  private async retryOrDeadLetter(items: WriteItem[], reason: string): Promise<Pick<BatchVerdict, 'settled' | 'again'>> {
    const exhausted = items.filter((i) => i.attempt + 1 >= this.config.consumerMaxAttempts);
    const again = items.filter((i) => i.attempt + 1 < this.config.consumerMaxAttempts);
    if (exhausted.length > 0) await this.deadLetter(exhausted, `gave up after ${this.config.consumerMaxAttempts} attempts: ${reason}`);
    const now = this.now();
    return {
      settled: exhausted,
      again: again.map((item) => ({ items: [item], attempt: item.attempt + 1, notBeforeMs: now + backoffDelayMs(item.attempt + 1, this.config.retryBaseDelayMs, MAX_RETRY_DELAY_MS) })),
    };
  }

  private async withoutApplied(items: WriteItem[]): Promise<{ fresh: WriteItem[]; done: WriteItem[] }> {
    const existing = await this.eventStore.existingIds(items.flatMap((i) => i.commands.map((c) => writebackResultId(c.request.data.commandId))));
    const fresh: WriteItem[] = [];
    const done: WriteItem[] = [];
    for (const item of items) {
      const open = item.commands.filter((c) => !existing.has(writebackResultId(c.request.data.commandId)));
      if (open.length === item.commands.length) fresh.push(item);
      else if (open.length === 0) done.push(item);
      else {
        // Part of a merged update was applied before (a redelivery): settle that part, send the rest.
        done.push({ ...item, commands: item.commands.filter((c) => !open.includes(c)) });
        fresh.push({ ...item, commands: open });
      }
    }
    return { fresh, done };
  }

  private callEvent(portalId: number, items: WriteItem[], outcome: CallOutcome, callId: string): AppendRequest {
    const first = items[0]!.commands[0]!.request;
    const commandIds = [...new Set(items.flatMap((i) => i.commands.map((c) => c.request.data.commandId)))];
    const event: PlatformEvent<'HubSpotCallCompleted'> = causedBy(first, {
      type: 'HubSpotCallCompleted',
      portalId,
      id: callId,
      data: {
        callId,
        operation: items[0]!.group.replace(':', ' '),
        hubspotStatus: outcome.status,
        hubspotCorrelationId: outcome.correlationId,
        commandIds,
        inputs: items.length,
        recordsWritten: outcome.kind === 'answered' ? outcome.recordsWritten : 0,
        durationMs: outcome.durationMs,
        rateLimit: outcome.rateLimit,
        ...(outcome.kind === 'failed' ? { error: outcome.message } : {}),
      },
    }, this.clock());
    return { streamId: StreamIds.hubspotCalls(portalId), events: [event] };
  }

  /** One result event per command, in the command's object stream, published to the results topic. */
  private results(
    items: WriteItem[],
    describe: (item: WriteItem) => { type: 'WritebackApplied' | 'WritebackSkipped' | 'WritebackFailed'; status: number | null; detail?: string; record?: unknown },
    callEvent: AppendRequest | undefined,
  ): AppendRequest[] {
    const now = this.clock();
    const call = (callEvent?.events[0] as PlatformEvent<'HubSpotCallCompleted'> | undefined)?.data;
    const requests: AppendRequest[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      const d = describe(item);
      for (const command of item.commands) {
        const request = command.request;
        const commandId = request.data.commandId;
        // The same command delivered twice gets one result.
        if (seen.has(commandId)) continue;
        seen.add(commandId);
        const base = { portalId: request.portalId, id: writebackResultId(commandId) };
        const callRef = call ? { callId: call.callId } : {};
        const event =
          d.type === 'WritebackApplied'
            ? causedBy(request, { ...base, type: 'WritebackApplied', data: { commandId, hubspotStatus: d.status ?? 200, recordsWritten: call?.recordsWritten ?? 1, response: d.record, rateLimit: call?.rateLimit ?? {}, ...callRef, hubspotCorrelationId: call?.hubspotCorrelationId ?? null } }, now)
            : d.type === 'WritebackSkipped'
              ? causedBy(request, { ...base, type: 'WritebackSkipped', data: { commandId, hubspotStatus: d.status, reason: d.detail ?? '', ...callRef } }, now)
              : causedBy(request, { ...base, type: 'WritebackFailed', data: { commandId, hubspotStatus: d.status, message: d.detail ?? '', retriable: false, ...callRef } }, now);
        requests.push({ streamId: StreamIds.crmObject(request.portalId, request.data.objectType, request.data.objectId), events: [event], publishTo: this.topics.writebackResults });
      }
    }
    return requests;
  }

  private async alert(portalId: number, cause: QueuedCommand, kind: PortalAlertKind, message: string, status: number | null, pause: boolean): Promise<void> {
    await this.alerts.raise(cause.request, portalId, { alert: kind, message, hubspotStatus: status, commandId: cause.request.data.commandId, pause });
  }

  private async deadLetter(items: WriteItem[], reason: string): Promise<void> {
    const record = deadLetterRecorder(this.eventStore, this.clock);
    for (const item of items) {
      for (const c of item.commands) {
        await this.bus.sendToDeadLetter(c.request, { topic: c.topic, partition: c.partition, offset: String(c.offset), attempt: item.attempt + 1 }, reason, record);
      }
    }
  }

  private now(): number {
    return this.clock().getTime();
  }
}
