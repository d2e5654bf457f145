import { Inject, Injectable } from '@nestjs/common';
import {
  causedBy,
  CLOCK,
  deterministicId,
  EventStore,
  isErased,
  isEventOfType,
  Outcome,
  replayState,
  StreamIds,
  TOPICS,
  type AppendRequest,
  type Clock,
  type EventEnvelope,
  type HandlerOutcome,
  type PlatformEvent,
  type ReplayState,
  type ReplayTotals,
  type TopicNames,
} from '@app/common';
import { DecisionMaker, type ConsultationResult } from '../decisions/decision-maker';
import { ModelRefusalAlerts } from '../decisions/model-refusal-alerts';
import { ReplayApplier } from './replay-applier';
import { ReplayRecords, type DecisionToReplay } from './replay-records';
import { ReplaySetUp, type ResolvedReplay } from './replay-setup';
import { addTotals, notReadThen, replayedEvent, reusing, selectionOf, skippedEvent } from './replayed-answers';

/** Decisions asked again per message: bounds the work one message carries, and what a restart repeats. */
export const REPLAY_CHUNK = 20;

/**
 * Runs replays: asks a portal's past decisions of one prompt again with a chosen
 * version, about the snapshots they saw, and records each new answer next to the
 * original with their differences (applying them is ReplayApplier's).
 *
 * A replay advances one chunk per message, from what its stream says (so a
 * redelivered or stale message just continues it), and publishes the next chunk's
 * message itself. Model calls pass the same concurrency caps as live decisions.
 */
@Injectable()
export class ReplayRunner {
  constructor(
    private readonly eventStore: EventStore,
    private readonly setUp: ReplaySetUp,
    private readonly decisions: DecisionMaker,
    private readonly records: ReplayRecords,
    private readonly applier: ReplayApplier,
    private readonly alerts: ModelRefusalAlerts,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(message: EventEnvelope): Promise<HandlerOutcome> {
    if (!['ReplayRequested', 'ReplayProgressed', 'ReplayApplyRequested'].includes(message.type)) {
      return Outcome.deadLetter(`the replay runner does not consume ${message.type} events`);
    }
    // A replay's id is its ReplayRequested's, which every later replay event carries as its correlation id.
    const state = replayState(await this.eventStore.readStream(StreamIds.replay(message.portalId, message.correlationId)));
    if (!state) return Outcome.deadLetter(`portal ${message.portalId} has no replay ${message.correlationId}`);
    if (isEventOfType(message, 'ReplayApplyRequested')) return this.applier.apply(state, message);
    if (state.status !== 'running') return Outcome.done();
    return this.advance(state, message);
  }

  /** Asks the next chunk of decisions again and records the answers, then the progress (or the end). */
  private async advance(state: ReplayState, message: EventEnvelope): Promise<HandlerOutcome> {
    const { request } = state;
    const setUp = await this.setUp.resolve(request);
    if (typeof setUp === 'string') {
      // A replay that has answers keeps them: a portal paused meanwhile stops it in the dead-letter topic, to be redriven once resumed.
      if (state.answers.size > 0) return Outcome.deadLetter(`replay ${state.replayId} cannot go on: ${setUp}; redrive it once that is fixed`);
      return this.record(state, [causedBy(message, { type: 'ReplayRejected', portalId: request.portalId, data: { reason: setUp } }, this.clock())]);
    }
    const { portal, prompt, capability } = setUp;

    const wanted = Math.min(REPLAY_CHUNK, request.data.limit - state.totals.replayed);
    const chunk = wanted > 0 ? await this.records.decisionsToReplay({ ...selectionOf(request), after: state.cursor, limit: wanted }) : [];
    // A chunk asked again after the model was overloaded: what it answered then is recorded and not asked again.
    // A decision whose snapshot was erased is not asked at all (docs/decisions/0019).
    const toAsk = chunk.filter((item) => !state.answers.has(item.decision.id) && !item.erased);
    const answers = await this.askOncePerInput(state, toAsk, { portal, prompt, capability });

    const now = this.clock();
    const events: PlatformEvent[] = [];
    let totals = state.totals;
    let cursor = state.cursor;
    /** Why a decision must be asked again later (the model overloaded or unreachable). */
    let waiting: HandlerOutcome | undefined;
    /** The replay's events are sealed for the subjects their originals were sealed for. */
    const subjects = new Map<string, string[]>();
    for (const item of chunk) {
      if (item.erased && !state.answers.has(item.decision.id)) {
        const skipped = skippedEvent(state, message, item, now);
        events.push(skipped);
        totals = addTotals(totals, skipped);
        if (!waiting) cursor = item.globalPosition;
        continue;
      }
      const answer = answers.get(item.decision.id);
      if (answer?.kind === 'error' && !answer.aboutThisRequest) {
        // Set-up errors (a revoked key, an unknown model, a setting the model refuses) stop the replay in the
        // dead-letter topic, to be redriven once fixed; a model's refusal also tells the operator.
        if (answer.configurationError) await this.alerts.raiseModelRefusal(message, portal, answer.configurationError);
        if (answer.outcome.kind !== 'retry') return this.keep(state, message, events, totals, cursor, answer.outcome, subjects);
        waiting ??= answer.outcome;
        continue;
      }
      // Every answer is recorded, paid ones after a waiting decision included; the cursor stops before the first waiting one.
      if (answer) {
        const event = replayedEvent(state, message, item, answer, notReadThen(prompt, item.decision.data.prompt), now);
        if (item.subjects) subjects.set(event.id, item.subjects);
        events.push(event);
        totals = addTotals(totals, event);
      }
      if (!waiting) cursor = item.globalPosition;
    }
    if (waiting) return this.keep(state, message, events, totals, cursor, waiting, subjects);
    const finished = chunk.length < wanted || totals.replayed >= request.data.limit;
    if (finished) return this.record(state, [...events, causedBy(message, { type: 'ReplayCompleted', portalId: request.portalId, data: totals }, now)], undefined, subjects);
    // The next chunk's message is the progress event itself, published back to the replays topic.
    return this.record(state, events, causedBy(message, { type: 'ReplayProgressed', portalId: request.portalId, data: { ...totals, cursor } }, now), subjects);
  }

  /**
   * Asks the model once per distinct input: decisions whose snapshots render the same
   * prompt (earlier reused decisions, repeated triggers) share one answer, and an
   * input this replay already answered in an earlier chunk is not asked again.
   * The copies record no usage and name the answer they reuse.
   */
  private async askOncePerInput(
    state: ReplayState,
    items: DecisionToReplay[],
    { portal, prompt, capability }: ResolvedReplay,
  ): Promise<Map<string, ConsultationResult<object>>> {
    const answeredBefore = new Map<string, PlatformEvent<'DecisionReplayed'>>();
    // An answer erased since it was recorded (docs/decisions/0019) is not reused: there is nothing left to copy.
    for (const answer of state.answers.values()) if (isEventOfType(answer, 'DecisionReplayed') && !isErased(answer.data)) answeredBefore.set(answer.data.prompt.hash, answer);
    const consultation = (item: DecisionToReplay) => ({
      portal,
      prompt,
      objectType: item.context.objectType,
      objectId: item.context.objectId,
      snapshot: item.context.snapshot as Record<string, string>,
      answer: capability.answer,
      forceModelCall: state.request.data.forceModelCall,
    });
    const inputOf = new Map(items.map((item) => [item.decision.id, this.decisions.prepare(consultation(item)).rendered.hash]));
    const firstOf = new Map<string, DecisionToReplay>();
    for (const item of items) {
      const hash = inputOf.get(item.decision.id)!;
      if (!firstOf.has(hash) && !answeredBefore.has(hash)) firstOf.set(hash, item);
    }
    const asked = new Map(await Promise.all([...firstOf].map(async ([hash, item]) => [hash, await this.decisions.consult(consultation(item))] as const)));
    const results = new Map<string, ConsultationResult<object>>();
    for (const item of items) {
      const hash = inputOf.get(item.decision.id)!;
      const earlier = answeredBefore.get(hash);
      if (earlier) {
        // A copy names the answer it copied, so every copy points at the one that was paid for.
        results.set(item.decision.id, reusing(earlier.data, earlier.data.reusedFrom?.decisionId ?? earlier.id));
        continue;
      }
      const first = firstOf.get(hash)!;
      const result = asked.get(hash)!;
      results.set(item.decision.id, first === item || result.kind !== 'answered' ? result : reusing(result.call, deterministicId('replayed', state.replayId, first.decision.id)));
    }
    return results;
  }

  /**
   * A chunk that could not finish: keeps what was answered. When some of it was, the
   * progress goes out as a fresh message (a long replay under intermittent overload
   * keeps moving); when none was, this message is retried or dead-lettered as `outcome` says.
   */
  private async keep(
    state: ReplayState,
    message: EventEnvelope,
    events: PlatformEvent[],
    totals: ReplayTotals,
    cursor: string,
    outcome: HandlerOutcome,
    subjects: ReadonlyMap<string, string[]>,
  ): Promise<HandlerOutcome> {
    if (events.length === 0) return outcome;
    const progress = causedBy(message, { type: 'ReplayProgressed', portalId: state.request.portalId, data: { ...totals, cursor } }, this.clock());
    if (outcome.kind === 'retry') return this.record(state, events, progress, subjects);
    const recorded = await this.record(state, [...events, progress], undefined, subjects);
    return recorded.kind === 'drop' ? recorded : outcome;
  }

  /**
   * Appends to the replay's stream only if nothing else did since it was read: two
   * consumers briefly owning the portal during a rebalance never both continue it
   * (the next chunk's message, too, is appended only right after these events).
   */
  private async record(state: ReplayState, events: PlatformEvent[], next?: PlatformEvent, subjects?: ReadonlyMap<string, string[]>): Promise<HandlerOutcome> {
    const streamId = StreamIds.replay(state.request.portalId, state.replayId);
    const requests: AppendRequest[] = [];
    if (events.length > 0) requests.push({ streamId, events, expectedVersion: state.version, subjects: (event) => subjects?.get(event.id) });
    if (next) requests.push({ streamId, events: [next], expectedVersion: state.version + events.length, publishTo: this.topics.replays });
    const result = await this.eventStore.appendAll(requests);
    // Whoever appended first is continuing the replay; this message's work is theirs.
    return result.kind === 'conflict' ? Outcome.drop(`replay ${state.replayId} advanced concurrently`) : Outcome.done();
  }
}

