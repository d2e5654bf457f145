import {
  causedBy,
  deterministicId,
  isEventOfType,
  type EventEnvelope,
  type PlatformEvent,
  type ReplayedOriginal,
  type ReplayState,
  type ReplayTotals,
} from '@app/common';
import { NO_USAGE } from '../ai/ai-provider';
import { declaredNotIn } from '../context/crm-context';
import { reusedAnswer, type AnsweredCall, type ConsultationResult } from '../decisions/decision-maker';
import type { PromptDefinition } from '../prompts/prompt';
import { selectPrompt } from '../capabilities/capability-registry';
import { answerDifferences } from './answer-differences';
import type { DecisionToReplay } from './replay-records';

/* The replay's events and totals from its answers: pure. */

/** What the replay's prompt version declares that the original decision's version did not read ([] when that version is unknown). */
export function notReadThen(replaying: PromptDefinition, original: { id: string; version: number }): string[] {
  const then = selectPrompt(original.id, { [original.id]: original.version });
  return then.ok ? declaredNotIn(replaying.context, then.prompt.context) : [];
}

export function selectionOf(request: PlatformEvent<'ReplayRequested'>) {
  return {
    portalId: request.portalId,
    promptId: request.data.promptId,
    from: request.data.from ? new Date(request.data.from) : null,
    to: request.data.to ? new Date(request.data.to) : null,
  };
}

/** One decision's replay event: the new answer and its differences, or the unusable replies. */
export function replayedEvent(
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

/** A decision not asked again: its snapshot (or its answer) was erased. Nothing sent, nothing paid. */
export function skippedEvent(state: ReplayState, message: EventEnvelope, item: DecisionToReplay, now: Date): PlatformEvent<'DecisionReplaySkipped'> {
  const { decision, erased } = item;
  const original = {
    decisionId: decision.id,
    streamId: item.streamId,
    objectType: item.context.objectType,
    objectId: item.context.objectId,
    prompt: decision.data.prompt,
  };
  const reason = `erased: the personal data of ${erased?.subjects.join(', ') || 'the record'} was erased (${erased?.reason ?? 'erased'}${erased?.at ? ` at ${erased.at}` : ''}), so its snapshot cannot be asked again`;
  return causedBy(message, { portalId: state.request.portalId, id: deterministicId('replayed', state.replayId, decision.id), type: 'DecisionReplaySkipped', data: { original, reason } }, now);
}

/** Another decision's answer to the same input, reused: no usage, no cost. */
export function reusing(call: AnsweredCall, from: string): ConsultationResult<object> {
  return { kind: 'answered', call: reusedAnswer(call, from), answer: {}, restore: (text) => text };
}

export function addTotals(totals: ReplayTotals, event: PlatformEvent<'DecisionReplayed'> | PlatformEvent<'DecisionReplayFailed'> | PlatformEvent<'DecisionReplaySkipped'>): ReplayTotals {
  // Skipped (erased) decisions are counted apart: nothing was asked or paid.
  if (isEventOfType(event, 'DecisionReplaySkipped')) return { ...totals, skipped: (totals.skipped ?? 0) + 1 };
  const failed = isEventOfType(event, 'DecisionReplayFailed');
  return {
    replayed: totals.replayed + 1,
    changed: totals.changed + (!failed && (event as PlatformEvent<'DecisionReplayed'>).data.differences.length > 0 ? 1 : 0),
    failed: totals.failed + (failed ? 1 : 0),
    ...(totals.skipped ? { skipped: totals.skipped } : {}),
    // Rounded to micro-dollars, as the cost report is: sums of floats drift.
    costUsd: Math.round((totals.costUsd + (event.data.costUsd ?? 0)) * 1_000_000) / 1_000_000,
  };
}
