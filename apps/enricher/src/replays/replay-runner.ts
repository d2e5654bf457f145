import { Inject, Injectable } from '@nestjs/common';
import {
  causedBy,
  CLOCK,
  deterministicId,
  EventStore,
  isEventOfType,
  Outcome,
  PortalAccess,
  replayState,
  StreamIds,
  TOPICS,
  type AppendRequest,
  type Clock,
  type EventEnvelope,
  type HandlerOutcome,
  type PlatformEvent,
  type Portal,
  type ReplayedOriginal,
  type ReplayState,
  type ReplayTotals,
  type TopicNames,
} from '@app/common';
import type { Capability } from '../decisions/decision-flow';
import { NO_USAGE } from '../ai/ai-provider';
import { declaredNotIn } from '../context/crm-context';
import { DecisionMaker, type AnsweredCall, type ConsultationResult } from '../decisions/decision-maker';
import { LEAD_AI } from '../lead-ai/lead-ai.capability';
import { selectPrompt } from '../prompts/prompt-registry';
import type { PromptDefinition } from '../prompts/prompt';
import { SERVICE_AI } from '../service-ai/service-ai.capability';
import { answerDifferences } from './answer-differences';
import { ReplayRecords, type DecisionToReplay } from './replay-records';

/** Decisions asked again per message: bounds the work one message carries, and what a restart repeats. */
export const REPLAY_CHUNK = 20;

const CAPABILITIES = [LEAD_AI, SERVICE_AI] as unknown as ReadonlyArray<Capability<object>>;

/**
 * Runs replays: asks a portal's past decisions of one prompt again with a chosen
 * version, about the snapshots they saw, and records each new answer next to the
 * original with their differences; later, writes the changed answers to the CRM
 * when an operator applies them.
 *
 * A replay advances one chunk per message, from what its stream says (so a
 * redelivered or stale message just continues it), and publishes the next chunk's
 * message itself. Model calls pass the same concurrency caps as live decisions.
 */
@Injectable()
export class ReplayRunner {
  constructor(
    private readonly eventStore: EventStore,
    private readonly portals: PortalAccess,
    private readonly decisions: DecisionMaker,
    private readonly records: ReplayRecords,
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
    if (isEventOfType(message, 'ReplayApplyRequested')) return this.apply(state, message);
    if (state.status !== 'running') return Outcome.done();
    return this.advance(state, message);
  }

  /** Asks the next chunk of decisions again and records the answers, then the progress (or the end). */
  private async advance(state: ReplayState, message: EventEnvelope): Promise<HandlerOutcome> {
    const { request } = state;
    const setUp = await this.setUp(state);
    if (typeof setUp === 'string') {
      // A replay that has answers keeps them: a portal paused meanwhile stops it in the dead-letter topic, to be redriven once resumed.
      if (state.answers.size > 0) return Outcome.deadLetter(`replay ${state.replayId} cannot go on: ${setUp}; redrive it once that is fixed`);
      return this.record(state, [causedBy(message, { type: 'ReplayRejected', portalId: request.portalId, data: { reason: setUp } }, this.clock())]);
    }
    const { portal, prompt, capability } = setUp;

    const wanted = Math.min(REPLAY_CHUNK, request.data.limit - state.totals.replayed);
    const chunk = wanted > 0 ? await this.records.decisionsToReplay({ ...selectionOf(request), after: state.cursor, limit: wanted }) : [];
    // A chunk asked again after the model was overloaded: what it answered then is recorded and not asked again.
    const toAsk = chunk.filter((item) => !state.answers.has(item.decision.id));
    const answers = await this.askOncePerInput(state, toAsk, { portal, prompt, capability });

    const now = this.clock();
    const events: PlatformEvent[] = [];
    let totals = state.totals;
    let cursor = state.cursor;
    /** Why a decision must be asked again later (the model overloaded or unreachable). */
    let waiting: HandlerOutcome | undefined;
    for (const item of chunk) {
      const answer = answers.get(item.decision.id);
      if (answer?.kind === 'error' && !answer.aboutThisRequest) {
        // Set-up errors (a revoked key, an unknown model) stop the replay in the dead-letter topic, to be redriven once fixed.
        if (answer.outcome.kind !== 'retry') return this.keep(state, message, events, totals, cursor, answer.outcome);
        waiting ??= answer.outcome;
        continue;
      }
      // Every answer is recorded, paid ones after a waiting decision included; the cursor stops before the first waiting one.
      if (answer) {
        const event = replayedEvent(state, message, item, answer, notReadThen(prompt, item.decision.data.prompt), now);
        events.push(event);
        totals = addTotals(totals, event);
      }
      if (!waiting) cursor = item.globalPosition;
    }
    if (waiting) return this.keep(state, message, events, totals, cursor, waiting);
    const finished = chunk.length < wanted || totals.replayed >= request.data.limit;
    if (finished) return this.record(state, [...events, causedBy(message, { type: 'ReplayCompleted', portalId: request.portalId, data: totals }, now)]);
    // The next chunk's message is the progress event itself, published back to the replays topic.
    return this.record(state, events, causedBy(message, { type: 'ReplayProgressed', portalId: request.portalId, data: { ...totals, cursor } }, now));
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
    { portal, prompt, capability }: { portal: Portal; prompt: PromptDefinition; capability: Capability<object> },
  ): Promise<Map<string, ConsultationResult<object>>> {
    const answeredBefore = new Map<string, PlatformEvent<'DecisionReplayed'>>();
    for (const answer of state.answers.values()) if (isEventOfType(answer, 'DecisionReplayed')) answeredBefore.set(answer.data.prompt.hash, answer);
    const consultation = (item: DecisionToReplay) => ({
      portal,
      prompt,
      objectType: item.context.objectType,
      objectId: item.context.objectId,
      snapshot: item.context.snapshot as Record<string, string>,
      answerType: capability.answerType,
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
  private async keep(state: ReplayState, message: EventEnvelope, events: PlatformEvent[], totals: ReplayTotals, cursor: string, outcome: HandlerOutcome): Promise<HandlerOutcome> {
    if (events.length === 0) return outcome;
    const progress = causedBy(message, { type: 'ReplayProgressed', portalId: state.request.portalId, data: { ...totals, cursor } }, this.clock());
    if (outcome.kind === 'retry') return this.record(state, events, progress);
    return this.record(state, events, undefined, [progress], outcome);
  }

  /** Writes the changed answers' AI properties to the CRM, as a re-decision of each record would. */
  private async apply(state: ReplayState, message: PlatformEvent<'ReplayApplyRequested'>): Promise<HandlerOutcome> {
    if (state.applies.find((a) => a.requested.id === message.id)?.applied) return Outcome.done();
    if (state.status !== 'completed') return Outcome.deadLetter(`replay ${state.replayId} is ${state.status}: only a completed replay can be applied`);
    const setUp = await this.setUp(state);
    if (typeof setUp === 'string') return Outcome.deadLetter(`replay ${state.replayId} cannot be applied: ${setUp}`);
    const { portal, prompt, capability } = setUp;

    const wanted = [...new Set(message.data.decisionIds ?? state.answers.keys())];
    const originals = await this.records.decisionsToApply(wanted.filter((id) => state.answers.has(id)));
    const now = this.clock();
    const applied: PlatformEvent<'ReplayApplied'>['data']['applied'] = [];
    const skipped: PlatformEvent<'ReplayApplied'>['data']['skipped'] = [];
    const requests: AppendRequest[] = [];
    for (const decisionId of wanted) {
      const answer = state.answers.get(decisionId);
      const original = originals.get(decisionId);
      if (!answer) {
        skipped.push({ decisionId, reason: 'not a decision of this replay' });
        continue;
      }
      if (!original) {
        skipped.push({ decisionId, reason: 'the original decision or its context is no longer in the event store' });
        continue;
      }
      if (isEventOfType(answer, 'DecisionReplayFailed')) {
        skipped.push({ decisionId, reason: `the replay's answer was unusable: ${answer.data.reason}` });
        continue;
      }
      if (answer.data.differences.length === 0) {
        skipped.push({ decisionId, reason: 'answered the same' });
        continue;
      }
      // A later decision is about newer data: the replay's answer, about older data, must not overwrite it.
      if (original.supersededBy) {
        skipped.push({ decisionId, reason: `the record was decided again since (decision ${original.supersededBy}): replay that decision instead` });
        continue;
      }
      const snapshot = original.snapshot;
      const { objectType, objectId } = answer.data.original;
      // The real values go back into the answer's text with the placeholders of the very input the replay sent.
      const again = this.decisions.prepare({ portal, prompt, objectType, objectId, snapshot });
      if (again.rendered.hash !== answer.data.prompt.hash) {
        skipped.push({ decisionId, reason: "the portal's privacy policy changed since the replay, so its placeholders may not match: replay again" });
        continue;
      }
      const commands = capability
        .planWritebacks({
          decisionId: answer.id,
          // Applied as a re-decision of the record: its AI properties, never a second task.
          triggerType: 'ObjectChanged',
          objectId,
          answer: capability.restore(Object.assign(new capability.answerType(), answer.data.output), again.privacy.restore),
          portal,
          decidedAt: now,
        })
        .filter((command) => command.kind === 'update-properties');
      requests.push({
        streamId: answer.data.original.streamId,
        events: commands.map((command) => causedBy(answer, { type: 'WritebackRequested', portalId: portal.portalId, id: command.commandId, data: command }, now)),
        publishTo: this.topics.writebacks,
      });
      applied.push({ decisionId, commandIds: commands.map((c) => c.commandId) });
    }
    const summary = causedBy(message, { type: 'ReplayApplied', portalId: portal.portalId, id: deterministicId('replay-applied', message.id), data: { applied, skipped } }, now);
    const result = await this.eventStore.appendAll([...requests, { streamId: StreamIds.replay(portal.portalId, state.replayId), events: [summary] }]);
    return result.kind === 'conflict' ? Outcome.retry(`stream ${result.streamId} changed concurrently`) : Outcome.done();
  }

  /** The portal, prompt version and capability the replay runs with, or why it cannot run. */
  private async setUp(state: ReplayState): Promise<{ portal: Portal; prompt: PromptDefinition; capability: Capability<object> } | string> {
    const { promptId, promptVersion } = state.request.data;
    const choice = selectPrompt(promptId, { [promptId]: promptVersion });
    if (!choice.ok) return choice.reason;
    const capability = CAPABILITIES.find((c) => c.promptId === promptId);
    if (!capability) return `no capability answers with prompt ${promptId}`;
    const found = await this.portals.get(state.request.portalId);
    // As for live decisions: a paused or disabled portal gets no model calls and no writebacks.
    if (!found || found.portal.status !== 'active') return `portal ${state.request.portalId} is ${found ? found.portal.status : 'not registered'}`;
    return { portal: found.portal, prompt: choice.prompt, capability };
  }

  /**
   * Appends to the replay's stream only if nothing else did since it was read: two
   * consumers briefly owning the portal during a rebalance never both continue it
   * (the next chunk's message, too, is appended only right after these events).
   */
  private async record(state: ReplayState, events: PlatformEvent[], next?: PlatformEvent, after: PlatformEvent[] = [], outcome: HandlerOutcome = Outcome.done()): Promise<HandlerOutcome> {
    const streamId = StreamIds.replay(state.request.portalId, state.replayId);
    const recorded = [...events, ...after];
    const requests: AppendRequest[] = [];
    if (recorded.length > 0) requests.push({ streamId, events: recorded, expectedVersion: state.version });
    if (next) requests.push({ streamId, events: [next], expectedVersion: state.version + recorded.length, publishTo: this.topics.replays });
    const result = await this.eventStore.appendAll(requests);
    // Whoever appended first is continuing the replay; this message's work is theirs.
    return result.kind === 'conflict' ? Outcome.drop(`replay ${state.replayId} advanced concurrently`) : outcome;
  }
}

/** What the replay's prompt version declares that the original decision's version did not read ([] when that version is unknown). */
function notReadThen(replaying: PromptDefinition, original: { id: string; version: number }): string[] {
  const then = selectPrompt(original.id, { [original.id]: original.version });
  return then.ok ? declaredNotIn(replaying.context, then.prompt.context) : [];
}

function selectionOf(request: PlatformEvent<'ReplayRequested'>) {
  return {
    portalId: request.portalId,
    promptId: request.data.promptId,
    from: request.data.from ? new Date(request.data.from) : null,
    to: request.data.to ? new Date(request.data.to) : null,
  };
}

/** One decision's replay event: the new answer and its differences, or the unusable replies. */
function replayedEvent(
  state: ReplayState,
  message: EventEnvelope,
  item: DecisionToReplay,
  answer: ConsultationResult<object>,
  unread: string[],
  now: Date,
): PlatformEvent<'DecisionReplayed'> | PlatformEvent<'DecisionReplayFailed'> {
  const { decision } = item;
  const original: ReplayedOriginal = {
    decisionId: decision.id,
    streamId: item.streamId,
    objectType: item.context.objectType,
    objectId: item.context.objectId,
    prompt: decision.data.prompt,
    output: decision.data.output,
  };
  const base = { portalId: state.request.portalId, id: deterministicId('replayed', state.replayId, decision.id) };
  if (answer.kind === 'unusable') {
    return causedBy(message, { ...base, type: 'DecisionReplayFailed', data: { trigger: decision.data.trigger, ...answer.call, original } }, now);
  }
  if (answer.kind === 'error') {
    // The API refused this input (too long, invalid): nothing was answered or paid, and the replay goes on.
    const { provider, model, prompt } = answer;
    const reason = 'reason' in answer.outcome ? answer.outcome.reason : 'the model refused the request';
    const refused = { trigger: decision.data.trigger, prompt, provider, model, input: null, reason, answers: [], usage: NO_USAGE, costUsd: 0, latencyMs: 0, original };
    return causedBy(message, { ...base, type: 'DecisionReplayFailed', data: refused }, now);
  }
  const differences = answerDifferences(decision.data.output, answer.call.output);
  const data = { trigger: decision.data.trigger, ...answer.call, original, differences, ...(unread.length > 0 ? { notReadThen: unread } : {}) };
  return causedBy(message, { ...base, type: 'DecisionReplayed', data }, now);
}

/** Another decision's answer to the same input, reused: no usage, no cost. */
function reusing(call: AnsweredCall, replayedId: string): ConsultationResult<object> {
  const { usage: _usage, costUsd: _cost, latencyMs: _latency, repairedFrom: _repaired, reusedFrom: _reused, ...same } = call as AnsweredCall & { trigger?: unknown };
  const { trigger: _trigger, original: _original, differences: _differences, ...answer } = same as AnsweredCall & { trigger?: unknown; original?: unknown; differences?: unknown };
  return { kind: 'answered', call: { ...answer, usage: NO_USAGE, costUsd: 0, latencyMs: 0, reusedFrom: { decisionId: replayedId } }, answer: {}, restore: (text) => text };
}

function addTotals(totals: ReplayTotals, event: PlatformEvent<'DecisionReplayed'> | PlatformEvent<'DecisionReplayFailed'>): ReplayTotals {
  const failed = isEventOfType(event, 'DecisionReplayFailed');
  return {
    replayed: totals.replayed + 1,
    changed: totals.changed + (!failed && (event as PlatformEvent<'DecisionReplayed'>).data.differences.length > 0 ? 1 : 0),
    failed: totals.failed + (failed ? 1 : 0),
    // Rounded to micro-dollars, as the cost report is: sums of floats drift.
    costUsd: Math.round((totals.costUsd + (event.data.costUsd ?? 0)) * 1_000_000) / 1_000_000,
  };
}
