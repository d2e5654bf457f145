import { Inject, Injectable } from '@nestjs/common';
import {
  causedBy,
  CLOCK,
  deterministicId,
  EventStore,
  isErased,
  isEventOfType,
  Outcome,
  StreamIds,
  TOPICS,
  type AppendRequest,
  type Clock,
  type HandlerOutcome,
  type PlatformEvent,
  type ReplayState,
  type TopicNames,
} from '@app/common';
import { DecisionMaker } from '../decisions/decision-maker';
import { writebackRequested } from '../writebacks/writeback-commands';
import { ReplayRecords } from './replay-records';
import { ReplaySetUp } from './replay-setup';

/**
 * Applies a completed replay: the changed answers' AI properties go to the CRM as
 * a re-decision of each record would write them (no new notes or tasks), through
 * the outbox to the writer, each caused by its DecisionReplayed. Decisions a
 * later decision superseded, unusable answers and unchanged ones are skipped, and
 * the ReplayApplied summary says why.
 */
@Injectable()
export class ReplayApplier {
  constructor(
    private readonly eventStore: EventStore,
    private readonly setUp: ReplaySetUp,
    private readonly decisions: DecisionMaker,
    private readonly records: ReplayRecords,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Writes the changed answers' AI properties to the CRM, as a re-decision of each record would. */
  async apply(state: ReplayState, message: PlatformEvent<'ReplayApplyRequested'>): Promise<HandlerOutcome> {
    if (state.applies.find((a) => a.requested.id === message.id)?.applied) return Outcome.done();
    if (state.status !== 'completed') return Outcome.deadLetter(`replay ${state.replayId} is ${state.status}: only a completed replay can be applied`);
    const setUp = await this.setUp.resolve(state.request);
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
      if (isEventOfType(answer, 'DecisionReplaySkipped')) {
        skipped.push({ decisionId, reason: answer.data.reason });
        continue;
      }
      if (isEventOfType(answer, 'DecisionReplayFailed')) {
        skipped.push({ decisionId, reason: `the replay's answer was unusable: ${answer.data.reason}` });
        continue;
      }
      // Erased since the replay ran (docs/decisions/0019): nothing personal is left to write back.
      if (isErased(answer.data) || !original.snapshot) {
        const marker = isErased(answer.data) ? answer.data.erased : original.erased;
        skipped.push({ decisionId, reason: `erased: the personal data of ${marker?.subjects.join(', ') || 'the record'} was erased (${marker?.reason ?? 'erased'}) since the replay` });
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
          answer: capability.restore(answer.data.output, again.privacy.restore),
          portal,
          decidedAt: now,
          // No associations: what is applied is properties on the record itself (no note, no task), and a snapshot
          // recorded before the ids were (`associated.*`) has none; a fresh look-up would cost calls for nothing.
          associated: {},
          facts: stringFacts(snapshot),
        })
        .filter((command) => command.kind === 'update-properties');
      requests.push({
        streamId: answer.data.original.streamId,
        events: commands.map((command) => writebackRequested(answer, command, now)),
        publishTo: this.topics.writebacks,
        ...(original.subjects ? { subjects: original.subjects } : {}),
      });
      applied.push({ decisionId, commandIds: commands.map((c) => c.commandId) });
    }
    const summary = causedBy(message, { type: 'ReplayApplied', portalId: portal.portalId, id: deterministicId('replay-applied', message.id), data: { applied, skipped } }, now);
    const result = await this.eventStore.appendAll([...requests, { streamId: StreamIds.replay(portal.portalId, state.replayId), events: [summary] }]);
    return result.kind === 'conflict' ? Outcome.retry(`stream ${result.streamId} changed concurrently`) : Outcome.done();
  }
}

/** A recorded snapshot's values as the strings they were read as (older snapshots are typed loosely). */
function stringFacts(snapshot: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshot).flatMap(([key, value]) => (typeof value === 'string' ? [[key, value]] : [])));
}
