import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
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
  HUBSPOT_API_VERSION,
  KafkaBus,
  Logger,
  PersonalData,
  PortalAccess,
  recordSubject,
  StreamIds,
  TOPICS,
  type AppendRequest,
  type Clock,
  type PlatformEvent,
  type PortalAlertKind,
  type TopicNames,
} from '@app/common';
import type { QueuedCommand, WriteItem } from '../pipeline/portal-queue';
import { AssociationLabels, configuredLabel, resolveTypes } from './association-labels';
import { associatedRecords, batchInputs, commandOf, operationOf, type AssociationTypesFor, type BatchOperation } from './batch-inputs';
import { markerOf } from './create-outcomes';
import { CreateReadBack, type ReadBackCall } from './create-readback';
import { HubSpotBatchWriter, type CallOutcome, type InputOutcome } from './hubspot-batch-writer';
import { fallbackOwner, ownerSent } from './owner-fallback';

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

/** The id of the HubSpotCreateSent event of a create: one per command, however often it is sent. */
export function createSentId(commandId: string): string {
  return deterministicId('hubspot-create-sent', commandId);
}

type PortalWithToken = NonNullable<Awaited<ReturnType<PortalAccess['get']>>>;

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
    private readonly readBack: CreateReadBack,
    private readonly labels: AssociationLabels,
    private readonly access: PortalAccess,
    private readonly alerts: OperatorAlerts,
    private readonly budget: HubSpotBudget,
    private readonly eventStore: EventStore,
    private readonly bus: KafkaBus,
    private readonly config: AppConfig,
    private readonly logger: Logger,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
    /** What the commands' sealed texts were sealed for, so results are sealed alike (docs/decisions/0019). */
    @Optional() private readonly personalData?: PersonalData,
  ) {}

  /** Commands whose personal data was erased before they were written: recorded as skipped, never sent. */
  async skipErased(commands: QueuedCommand[]): Promise<void> {
    const items = commands.map((command) => ({ commands: [command] }) as unknown as WriteItem);
    const reason = (item: WriteItem) => {
      const marker = (item.commands[0]!.request.data as { erased?: { subjects: string[]; reason: string } }).erased;
      return `personal data erased before it was written (${marker?.subjects.join(', ') ?? 'its subject'}: ${marker?.reason ?? 'erased'})`;
    };
    await this.eventStore.appendAll(this.results(items, (item) => ({ type: 'WritebackSkipped', status: null, detail: reason(item) }), undefined));
  }

  async execute(portalId: number, batch: WriteItem[]): Promise<BatchVerdict> {
    // Items that failed unexpectedly (not HubSpot: the executor itself) as often as allowed.
    const exhausted = batch.filter((i) => i.attempt >= this.config.consumerMaxAttempts);
    if (exhausted.length > 0) await this.deadLetter(exhausted, `gave up after ${this.config.consumerMaxAttempts} attempts: the writer could not process it`);
    const { fresh, done, open, settling, settledAtMs } = await this.partition(batch.filter((i) => !exhausted.includes(i)));
    const verdict: BatchVerdict = { settled: [...exhausted, ...done], again: settling.length > 0 ? [{ items: settling, notBeforeMs: settledAtMs }] : [] };
    const pending = [...open, ...fresh];
    if (pending.length === 0) return verdict;

    const access = await this.access.get(portalId);
    if (!access) {
      await this.deadLetter(pending, `portal ${portalId} is not registered`);
      return { ...verdict, settled: [...verdict.settled, ...pending] };
    }
    if (access.portal.status === 'disabled') {
      const detail = (item: WriteItem) => (open.includes(item) ? 'portal is disabled (an earlier send of this create got no answer: it may exist in HubSpot)' : 'portal is disabled');
      await this.eventStore.appendAll(this.results(pending, (item) => ({ type: 'WritebackSkipped', status: null, detail: detail(item) }), undefined));
      return { ...verdict, settled: [...verdict.settled, ...pending] };
    }
    if (access.portal.status === 'paused') {
      // Kept, not failed: the queue resumes when an operator reactivates the portal.
      return { ...verdict, again: [...verdict.again, { items: pending, notBeforeMs: this.now() + PAUSED_RECHECK_MS }], portalWaitMs: PAUSED_RECHECK_MS };
    }
    // A create HubSpot may already hold is read back before anything else is sent.
    if (open.length > 0) {
      const checked = await this.readBackOpen(portalId, access, open, verdict);
      return fresh.length === 0 ? checked : { ...checked, again: [...checked.again, { items: fresh, notBeforeMs: this.now() }] };
    }

    const operation = operationOf(fresh[0]!.group);
    const typesFor = await this.associationTypes(portalId, access, operation, fresh);
    const inputs = batchInputs(fresh, typesFor);
    const callId = randomUUID();
    if (operation.kind === 'create') {
      await this.eventStore.appendAll(this.createsSent(fresh, operation.objectType, callId));
      // From here the fate of these creates is open until HubSpot answers: whatever put them
      // back (a failure, an exception), they are read back before they are sent again.
      for (const item of fresh) delete item.knownAbsent;
    }
    const outcome = await this.hubspot.call(access.token, operation, inputs, () => this.now());
    await this.budget.observe(portalId, outcome.rateLimit).catch((error: unknown) => this.logger.warn('could not record rate-limit headers', { error, portalId }));
    const callEvent = this.callEvent(portalId, fresh, outcome, callId);

    if (outcome.kind === 'answered') return this.settleAnswered(portalId, access, fresh, outcome, callEvent, verdict);
    return this.settleFailed(portalId, access, operation, fresh, outcome, callEvent, verdict);
  }

  /**
   * Creates whose last send has no result: HubSpot may have applied them. Those
   * found by their marker are recorded as applied; the rest are known absent and
   * go back to be sent.
   */
  private async readBackOpen(portalId: number, access: PortalWithToken, open: WriteItem[], verdict: BatchVerdict): Promise<BatchVerdict> {
    const engagement = operationOf(open[0]!.group).objectType as 'notes' | 'tasks';
    const creates = open.map((item) => {
      const command = commandOf(item);
      return { commandId: command.commandId, engagement, objectType: command.objectType, objectId: command.objectId };
    });
    const checked = await this.readBack.check({ portalId, accessToken: access.token, plan: access.portal.settings.hubspot }, creates, () => this.now());
    const calls = checked.calls.map((call) => this.readBackCallEvent(portalId, open, call));
    const found = open.filter((item) => checked.found.has(commandOf(item).commandId));
    const results = this.results(found, (item) => ({ type: 'WritebackApplied', status: 200, record: checked.found.get(commandOf(item).commandId), foundByReadBack: true }), undefined);
    await this.eventStore.appendAll([...calls, ...results]);
    if (found.length > 0) this.logger.info('creates whose answer was lost were found in HubSpot, not sent again', { portalId, found: found.length });
    const unresolved = open.filter((item) => !found.includes(item));
    if (checked.kind === 'failed') {
      const failure = checked.failure;
      const settledFound = { ...verdict, settled: [...verdict.settled, ...found] };
      if (failure.kind === 'unauthorized') return this.unauthorized(portalId, unresolved, failure.reason, failure.status, settledFound);
      // Waiting for the portal's budget, or a 429: not the create's fault, so not an attempt.
      if (failure.kind === 'retry' && (checked.waitingForBudget || failure.rateLimitPolicy)) {
        const waitMs = failure.retryAfterMs ?? PAUSED_RECHECK_MS;
        return { ...settledFound, again: [...verdict.again, { items: unresolved, notBeforeMs: this.now() + waitMs }], portalWaitMs: waitMs };
      }
      const retry = await this.retryOrDeadLetter(unresolved, `reading back creates whose answer was lost: ${failure.reason}`);
      return { ...settledFound, settled: [...settledFound.settled, ...retry.settled], again: [...verdict.again, ...retry.again] };
    }
    const absent = unresolved;
    return {
      ...verdict,
      settled: [...verdict.settled, ...found],
      again: absent.length === 0 ? verdict.again : [...verdict.again, { items: absent.map((item) => ({ ...item, knownAbsent: true })), notBeforeMs: this.now() }],
    };
  }

  /**
   * The association types for every record the batch's creates name; looks up a
   * portal's configured labels first. A label that is missing, or labels that could
   * not be read, never hold a note back: HubSpot's default association is used and
   * the operator is told.
   */
  private async associationTypes(portalId: number, access: PortalWithToken, operation: BatchOperation, items: WriteItem[]): Promise<AssociationTypesFor> {
    const settings = access.portal.settings.associationLabels;
    const none: AssociationTypesFor = (from, to) => resolveTypes(from, to, undefined, undefined).types;
    if (operation.kind !== 'create' || !settings) return none;
    const from = operation.objectType;
    const targets = new Set(items.flatMap((item) => associatedRecords(commandOf(item) as Parameters<typeof associatedRecords>[0]).map((r) => r.objectType)));
    const problems: string[] = [];
    const calls: AppendRequest[] = [];
    for (const to of targets) {
      const label = configuredLabel(settings, from, to);
      if (label === undefined || this.labels.cached(portalId, from, to, this.now())) continue;
      const looked = await this.labels.lookUp({ portalId, accessToken: access.token, plan: access.portal.settings.hubspot }, from, to, () => this.now());
      if (looked.call) calls.push(this.readBackCallEvent(portalId, items, looked.call));
      if (looked.kind === 'failed') problems.push(`${from} → ${to}: labels could not be read (${looked.failure.reason})`);
    }
    if (calls.length > 0) await this.eventStore.appendAll(calls);
    const now = this.now();
    const typesFor: AssociationTypesFor = (f, to) => {
      const label = configuredLabel(settings, f, to);
      return resolveTypes(f, to, label, label === undefined ? undefined : this.labels.cached(portalId, f, to, now)).types;
    };
    for (const to of targets) {
      const label = configuredLabel(settings, from, to);
      const cached = this.labels.cached(portalId, from, to, now);
      if (label !== undefined && cached && resolveTypes(from, to, label, cached).missingLabel !== undefined) problems.push(`${from} → ${to}: "${label}" is not a label of this portal`);
    }
    const message = `HubSpot's default association used: ${problems.join('; ')}`;
    // Raised once per cause, not per batch (the portal row holds the standing alert).
    if (problems.length > 0 && access.portal.alerts['association-label-missing']?.message !== message) {
      await this.alert(portalId, items[0]!.commands[0]!, 'association-label-missing', message, null, false);
      this.access.forget(portalId);
    }
    return typesFor;
  }

  private async settleAnswered(
    portalId: number,
    access: PortalWithToken,
    items: WriteItem[],
    outcome: Extract<CallOutcome, { kind: 'answered' }>,
    callEvent: AppendRequest,
    verdict: BatchVerdict,
  ): Promise<BatchVerdict> {
    const finished: WriteItem[] = [];
    const resend: WriteItem[] = [];
    const parked: Array<{ item: WriteItem; reason: string }> = [];
    const ownerRefused: WriteItem[] = [];
    let propertyProblem: string | undefined;
    const outcomes = new Map<WriteItem, InputOutcome>();
    items.forEach((item, i) => {
      const o = outcome.perInput[i]!;
      outcomes.set(item, o);
      if (o.kind === 'unreported') resend.push(item);
      else if (o.kind === 'unknown') parked.push({ item, reason: o.reason });
      else if (o.kind === 'invalid' && o.problem === 'owner' && ownerSent(item) !== undefined) ownerRefused.push(item);
      else finished.push(item);
      if (o.kind === 'invalid' && o.problem === 'missing-property') propertyProblem ??= o.message;
    });
    const results = this.results(finished, (item) => {
      const o = outcomes.get(item)!;
      if (o.kind === 'applied') return { type: 'WritebackApplied', status: outcome.status ?? 200, record: o.record };
      if (o.kind === 'applied-unmatched') return { type: 'WritebackApplied', status: outcome.status ?? 200, record: { id: null, candidateIds: o.candidateIds } };
      if (o.kind === 'not-found') return { type: 'WritebackSkipped', status: outcome.status, detail: `object deleted or merged: ${o.message}` };
      return { type: 'WritebackFailed', status: outcome.status, detail: o.kind === 'invalid' ? o.message : 'unknown' };
    }, callEvent);
    await this.eventStore.appendAll([callEvent, ...results]);
    if (propertyProblem) await this.alert(portalId, items[0]!.commands[0]!, 'property-bootstrap-needed', `${propertyProblem}: run POST /admin/portals/${portalId}/bootstrap to create the capabilities' missing properties in the portal`, outcome.status, false);
    const again: BatchVerdict['again'] = [];
    if (ownerRefused.length > 0) again.push(await this.withFallbackOwner(portalId, access, ownerRefused, outcome.status));
    if (parked.length > 0) await this.park(portalId, parked, outcome);
    const retry = await this.retryOrDeadLetter(resend, 'HubSpot answered without a result for this input');
    return {
      ...verdict,
      settled: [...verdict.settled, ...finished, ...parked.map((p) => p.item), ...retry.settled],
      again: [...verdict.again, ...again, ...retry.again],
    };
  }

  /**
   * A create HubSpot's answer leaves open (an unexpected shape): sending it again
   * could write it twice, so it waits for an operator in the dead-letter topic.
   * A redrive is safe: it reads the create back by its marker before any send.
   */
  private async park(portalId: number, parked: Array<{ item: WriteItem; reason: string }>, outcome: Extract<CallOutcome, { kind: 'answered' }>): Promise<void> {
    for (const { item, reason } of parked) await this.deadLetter([item], `HubSpot's answer (status ${outcome.status}) leaves open whether it created this: ${reason}; parked, not resent`);
    await this.alert(
      portalId,
      parked[0]!.item.commands[0]!,
      'hubspot-answer-unreadable',
      `HubSpot answered a create in an unexpected shape (${outcome.anomalies.join('; ') || parked[0]!.reason}); ${parked.length} create(s) parked in the dead-letter topic; a redrive reads them back before sending`,
      outcome.status,
      false,
    );
  }

  /** HubSpot refused the owner (deactivated): alert, and send again with the routing's default owner, or none. */
  private async withFallbackOwner(portalId: number, access: PortalWithToken, items: WriteItem[], status: number | null): Promise<BatchVerdict['again'][number]> {
    const changed = items.map((item) => ({ ...item, knownAbsent: true, ownerOverride: fallbackOwner(access.portal.settings, commandOf(item), ownerSent(item)) }));
    const described = changed.map((item) => `${ownerSent(items.find((i) => i.key === item.key)!)} → ${item.ownerOverride ?? 'unassigned'}`);
    await this.alert(portalId, items[0]!.commands[0]!, 'owner-deactivated', `HubSpot refused owner(s) no longer active in the portal; writing with the default owner instead: ${[...new Set(described)].join(', ')}. Update the routing settings.`, status, false);
    return { items: changed, notBeforeMs: this.now() };
  }

  private async settleFailed(
    portalId: number,
    access: PortalWithToken,
    operation: BatchOperation,
    items: WriteItem[],
    outcome: Extract<CallOutcome, { kind: 'failed' }>,
    callEvent: AppendRequest,
    verdict: BatchVerdict,
  ): Promise<BatchVerdict> {
    const failure = outcome.failure;
    const now = this.now();
    // Refused before anything was applied: a create may be sent again without reading it back.
    const absent = (list: WriteItem[]): WriteItem[] => (operation.kind === 'create' ? list.map((item) => ({ ...item, knownAbsent: true })) : list);
    if (failure.kind === 'retry' && failure.rateLimitPolicy) {
      const waitMs = failure.retryAfterMs ?? PAUSED_RECHECK_MS;
      await this.budget.rateLimited(portalId, failure.rateLimitPolicy, failure.retryAfterMs);
      await this.eventStore.appendAll([callEvent]);
      this.logger.warn('HubSpot answered 429; the portal waits', { portalId, policy: failure.rateLimitPolicy, waitMs });
      return { ...verdict, again: [...verdict.again, { items: absent(items), notBeforeMs: now + waitMs }], portalWaitMs: waitMs };
    }
    if (failure.kind === 'retry') {
      // A 5xx, a timeout or a cut connection: a create's fate is open, and the next attempt reads it back first.
      await this.eventStore.appendAll([callEvent]);
      const retry = await this.retryOrDeadLetter(items, failure.reason);
      return { ...verdict, settled: [...verdict.settled, ...retry.settled], again: [...verdict.again, ...retry.again] };
    }
    if (failure.kind === 'unauthorized') {
      await this.eventStore.appendAll([callEvent]);
      return this.unauthorized(portalId, absent(items), failure.reason, outcome.status, verdict);
    }
    // A whole-batch 400 or 404: find the input responsible by sending each alone.
    if (items.length > 1) {
      await this.eventStore.appendAll([callEvent]);
      return { ...verdict, again: [...verdict.again, { items: absent(items), notBeforeMs: now, alone: true }] };
    }
    if (failure.kind === 'rejected' && outcome.problem === 'owner' && ownerSent(items[0]!) !== undefined) {
      await this.eventStore.appendAll([callEvent]);
      return { ...verdict, again: [...verdict.again, await this.withFallbackOwner(portalId, access, items, outcome.status)] };
    }
    const type = failure.kind === 'not-found' ? 'WritebackSkipped' : 'WritebackFailed';
    const detail = failure.kind === 'not-found' ? `object deleted or merged: ${outcome.message}` : failure.reason;
    await this.eventStore.appendAll([callEvent, ...this.results(items, () => ({ type, status: outcome.status, detail }), callEvent)]);
    if (failure.kind === 'rejected' && outcome.problem === 'missing-property') await this.alert(portalId, items[0]!.commands[0]!, 'property-bootstrap-needed', `${outcome.message}: run POST /admin/portals/${portalId}/bootstrap to create the capabilities' missing properties in the portal`, outcome.status, false);
    return { ...verdict, settled: [...verdict.settled, ...items] };
  }

  private async unauthorized(portalId: number, items: WriteItem[], reason: string, status: number | null, verdict: BatchVerdict): Promise<BatchVerdict> {
    await this.alert(portalId, items[0]!.commands[0]!, 'access-revoked', reason, status, true);
    this.access.forget(portalId);
    this.labels.forget(portalId);
    return { ...verdict, again: [...verdict.again, { items, notBeforeMs: this.now() + PAUSED_RECHECK_MS }], portalWaitMs: PAUSED_RECHECK_MS };
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

  /**
   * Splits a batch into what has a result already (a redelivery), creates whose
   * last send has no result (open: read back before anything is sent, once the
   * send can no longer land: WRITER_CREATE_SETTLE_MS), and the rest.
   */
  private async partition(items: WriteItem[]): Promise<{ fresh: WriteItem[]; done: WriteItem[]; open: WriteItem[]; settling: WriteItem[]; settledAtMs: number }> {
    const creates = items.filter((i) => !i.knownAbsent && commandOf(i).kind !== 'update-properties');
    // One query for both: results of every command, and announcements of the creates.
    const recorded = await this.eventStore.recordedAt([
      ...items.flatMap((i) => i.commands.map((c) => writebackResultId(c.request.data.commandId))),
      ...creates.map((i) => createSentId(commandOf(i).commandId)),
    ]);
    const fresh: WriteItem[] = [];
    const done: WriteItem[] = [];
    const open: WriteItem[] = [];
    const settling: WriteItem[] = [];
    let settledAtMs = 0;
    for (const item of items) {
      const unanswered = item.commands.filter((c) => !recorded.has(writebackResultId(c.request.data.commandId)));
      const announcedAt = item.knownAbsent ? undefined : recorded.get(createSentId(commandOf(item).commandId));
      if (unanswered.length === 0) done.push(item);
      else if (unanswered.length < item.commands.length) {
        // Part of a merged update was applied before (a redelivery): settle that part, send the rest.
        done.push({ ...item, commands: item.commands.filter((c) => !unanswered.includes(c)) });
        fresh.push({ ...item, commands: unanswered });
      } else if (announcedAt === undefined) fresh.push(item);
      else if (announcedAt.getTime() + this.config.writerCreateSettleMs <= this.now()) open.push(item);
      else {
        // Sent moments ago (perhaps by a writer that just lost this partition): its answer may still land.
        settling.push(item);
        settledAtMs = Math.max(settledAtMs, announcedAt.getTime() + this.config.writerCreateSettleMs);
      }
    }
    return { fresh, done, open, settling, settledAtMs };
  }

  /** One HubSpotCreateSent per create, appended before the call. */
  private createsSent(items: WriteItem[], engagement: 'notes' | 'tasks', callId: string): AppendRequest[] {
    const now = this.clock();
    return items.map((item) => {
      const request = item.commands[0]!.request;
      const commandId = request.data.commandId;
      const event: PlatformEvent<'HubSpotCreateSent'> = causedBy(
        request,
        { type: 'HubSpotCreateSent', portalId: request.portalId, id: createSentId(commandId), data: { commandId, callId, marker: markerOf(commandId), engagement, apiVersion: HUBSPOT_API_VERSION } },
        now,
      );
      return { streamId: StreamIds.crmObject(request.portalId, request.data.objectType, request.data.objectId), events: [event] };
    });
  }

  /** A HubSpotCallCompleted for a call that wrote nothing (a read-back, a label lookup), against the batch's commands. */
  private readBackCallEvent(portalId: number, items: WriteItem[], call: ReadBackCall): AppendRequest {
    const callId = randomUUID();
    const event: PlatformEvent<'HubSpotCallCompleted'> = causedBy(items[0]!.commands[0]!.request, {
      type: 'HubSpotCallCompleted',
      portalId,
      id: callId,
      data: {
        callId,
        operation: call.operation,
        hubspotStatus: call.status,
        hubspotCorrelationId: call.correlationId,
        commandIds: items.map((i) => commandOf(i).commandId),
        inputs: items.length,
        recordsWritten: 0,
        durationMs: call.durationMs,
        rateLimit: call.rateLimit,
        apiVersion: call.apiVersion,
        ...(call.error ? { error: call.error } : {}),
      },
    }, this.clock());
    return { streamId: StreamIds.hubspotCalls(portalId), events: [event], subjects: this.subjectsOfItems(items) };
  }

  /** Every data subject of these commands: an error or odd answer quoting them is sealed for all. */
  private subjectsOfItems(items: WriteItem[]): string[] {
    return [...new Set(items.flatMap((item) => item.commands.flatMap((c) => this.subjectsOfCommand(c.request))))];
  }

  private subjectsOfCommand(request: PlatformEvent<'WritebackRequested'>): string[] {
    return this.personalData?.subjectsOf(request.data) ?? [recordSubject(request.data.objectType, request.data.objectId)];
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
        apiVersion: outcome.apiVersion,
        ...(outcome.kind === 'failed' ? { error: outcome.message } : {}),
        // An answer the writer could not read cleanly is kept whole, for the operator and HubSpot's support.
        ...(outcome.kind === 'answered' && outcome.anomalies.length > 0 ? { anomalies: outcome.anomalies, answer: outcome.body } : {}),
      },
    }, this.clock());
    return { streamId: StreamIds.hubspotCalls(portalId), events: [event], subjects: this.subjectsOfItems(items) };
  }

  /** One result event per command, in the command's object stream, published to the results topic. */
  private results(
    items: WriteItem[],
    describe: (item: WriteItem) => { type: 'WritebackApplied' | 'WritebackSkipped' | 'WritebackFailed'; status: number | null; detail?: string; record?: unknown; foundByReadBack?: boolean },
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
            ? causedBy(request, { ...base, type: 'WritebackApplied', data: { commandId, hubspotStatus: d.status ?? 200, recordsWritten: call?.recordsWritten ?? 1, response: d.record, rateLimit: call?.rateLimit ?? {}, ...callRef, hubspotCorrelationId: call?.hubspotCorrelationId ?? null, ...(d.foundByReadBack ? { foundByReadBack: true } : {}) } }, now)
            : d.type === 'WritebackSkipped'
              ? causedBy(request, { ...base, type: 'WritebackSkipped', data: { commandId, hubspotStatus: d.status, reason: d.detail ?? '', ...callRef } }, now)
              : causedBy(request, { ...base, type: 'WritebackFailed', data: { commandId, hubspotStatus: d.status, message: d.detail ?? '', retriable: false, ...callRef } }, now);
        requests.push({
          streamId: StreamIds.crmObject(request.portalId, request.data.objectType, request.data.objectId),
          events: [event],
          publishTo: this.topics.writebackResults,
          subjects: this.subjectsOfCommand(request),
        });
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
        // As it was consumed (sealed), never the opened command.
        await this.bus.sendToDeadLetter(this.personalData ? this.personalData.storedFormOf(c.request) : c.request, { topic: c.topic, partition: c.partition, offset: String(c.offset), attempt: item.attempt + 1 }, reason, record);
      }
    }
  }

  private now(): number {
    return this.clock().getTime();
  }
}
