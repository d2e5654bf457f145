import type { StoredEvent } from '../event-store/event-store.repository';
import { isEventOfType, type PlatformEvent, type ReplayTotals } from '../events/event-types';

export type ReplayStatus = 'running' | 'completed' | 'rejected';

/** One past decision as the replay asked it again (or did not: its snapshot was erased). */
export type ReplayAnswer = PlatformEvent<'DecisionReplayed'> | PlatformEvent<'DecisionReplayFailed'> | PlatformEvent<'DecisionReplaySkipped'>;

/** A replay as its stream tells it: what was asked, how far it got, and what applying it wrote. */
export interface ReplayState {
  replayId: string;
  request: PlatformEvent<'ReplayRequested'>;
  status: ReplayStatus;
  /** Why it was rejected (status rejected). */
  reason?: string;
  totals: ReplayTotals;
  /** Global position of the last original decision asked again ('0': none yet). */
  cursor: string;
  /** By original decision id. */
  answers: Map<string, ReplayAnswer>;
  /** Apply requests, oldest first, with what each wrote once it ran. */
  applies: Array<{ requested: PlatformEvent<'ReplayApplyRequested'>; applied?: PlatformEvent<'ReplayApplied'> }>;
  /** The stream's version: appends that continue the replay expect it. */
  version: number;
}

export const NO_REPLAY_TOTALS: ReplayTotals = { replayed: 0, changed: 0, failed: 0, costUsd: 0 };

/** Folds a replay's stream (readStream order) into its state; undefined when it holds no ReplayRequested. */
export function replayState(events: StoredEvent[]): ReplayState | undefined {
  const first = events[0];
  if (!first || !isEventOfType(first, 'ReplayRequested')) return undefined;
  const state: ReplayState = {
    replayId: first.id,
    request: first,
    status: 'running',
    totals: NO_REPLAY_TOTALS,
    cursor: '0',
    answers: new Map(),
    applies: [],
    version: first.streamVersion,
  };
  for (const event of events.slice(1)) {
    state.version = event.streamVersion;
    if (isEventOfType(event, 'ReplayRejected')) {
      state.status = 'rejected';
      state.reason = event.data.reason;
    } else if (isEventOfType(event, 'DecisionReplayed') || isEventOfType(event, 'DecisionReplayFailed') || isEventOfType(event, 'DecisionReplaySkipped')) {
      state.answers.set(event.data.original.decisionId, event);
    } else if (isEventOfType(event, 'ReplayProgressed')) {
      const { cursor, ...totals } = event.data;
      state.totals = totals;
      state.cursor = cursor;
    } else if (isEventOfType(event, 'ReplayCompleted')) {
      state.totals = event.data;
      state.status = 'completed';
    } else if (isEventOfType(event, 'ReplayApplyRequested')) {
      state.applies.push({ requested: event });
    } else if (isEventOfType(event, 'ReplayApplied')) {
      const pending = state.applies.find((a) => a.requested.id === event.causationId);
      if (pending) pending.applied = event;
    }
  }
  return state;
}
