import { Inject, Injectable } from '@nestjs/common';
import {
  AppConfig,
  causedBy,
  CLOCK,
  EventStore,
  isErased,
  isEventId,
  isEventOfType,
  PortalRepository,
  replayState,
  startStory,
  StreamIds,
  topicNames,
  type Clock,
  type FieldDifference,
  type PlatformEvent,
  type ReplayState,
  type ReplayStatus,
  type ReplayTotals,
  type TopicNames,
} from '@app/common';
import { DEFAULT_REPLAY_LIMIT, type ApplyReplayDto, type RequestReplayDto } from './replay.dto';

/** A replay as the admin API shows it: what was asked, how far it got, each decision before and after, and what applying wrote. */
export interface ReplayReport {
  replayId: string;
  portalId: number;
  status: ReplayStatus;
  reason?: string;
  request: PlatformEvent<'ReplayRequested'>['data'] & { requestedAt: string };
  totals: ReplayTotals;
  decisions: Array<{
    decisionId: string;
    objectType: string;
    objectId: string;
    /** skipped: not asked, its snapshot was erased; erased: asked, and its answer was erased since (docs/decisions/0019). */
    outcome: 'changed' | 'same' | 'failed' | 'skipped' | 'erased';
    before: { prompt: { id: string; version: number }; output: Record<string, unknown> | null };
    after: { prompt: { id: string; version: number }; output: Record<string, unknown> | null };
    differences: FieldDifference[];
    costUsd: number | null;
    /** Why the new answer is unusable (outcome failed), or why there is none (skipped, erased). */
    reason?: string;
    /** The answer came from an earlier call with the same input (no model call). */
    reusedFrom?: { decisionId: string };
    /** Fields the replay's version declares that the original's did not read: the replay saw them as absent. */
    notReadThen?: string[];
  }>;
  applies: Array<{ applyId: string; requestedAt: string; decisionIds: string[] | null } & Partial<PlatformEvent<'ReplayApplied'>['data']> & { status: 'pending' | 'applied' }>;
}

export type ApplyResult = { kind: 'accepted'; applyId: string } | { kind: 'not-found' } | { kind: 'not-completed'; status: ReplayStatus } | { kind: 'conflict' };

/**
 * Replays through the admin API: requests and applies are events on the replay's
 * stream, published to the replays topic for the enricher (which holds the
 * prompts and the model); reports are read back from that stream.
 */
@Injectable()
export class ReplayAdminService {
  private readonly topics: TopicNames;

  constructor(
    config: AppConfig,
    private readonly portals: PortalRepository,
    private readonly eventStore: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.topics = topicNames(config.kafkaTopicPrefix);
  }

  async request(portalId: number, dto: RequestReplayDto): Promise<ReplayReport | undefined> {
    if (!(await this.portals.find(portalId))) return undefined;
    const now = this.clock();
    const requested = startStory(
      {
        type: 'ReplayRequested',
        portalId,
        data: {
          promptId: dto.promptId,
          promptVersion: dto.promptVersion,
          from: dto.from ? new Date(dto.from).toISOString() : null,
          to: new Date(dto.to ?? now).toISOString(),
          limit: dto.limit ?? DEFAULT_REPLAY_LIMIT,
          forceModelCall: dto.forceModelCall ?? false,
        },
      },
      now,
    ) as PlatformEvent<'ReplayRequested'>;
    await this.eventStore.append({ streamId: StreamIds.replay(portalId, requested.id), events: [requested], expectedVersion: 'no-stream', publishTo: this.topics.replays });
    return (await this.report(portalId, requested.id))!;
  }

  async report(portalId: number, replayId: string): Promise<ReplayReport | undefined> {
    const state = await this.state(portalId, replayId);
    return state && present(state);
  }

  async apply(portalId: number, replayId: string, dto: ApplyReplayDto): Promise<ApplyResult> {
    const state = await this.state(portalId, replayId);
    if (!state) return { kind: 'not-found' };
    if (state.status !== 'completed') return { kind: 'not-completed', status: state.status };
    const requested = causedBy(state.request, { type: 'ReplayApplyRequested', portalId, data: { decisionIds: dto.decisionIds ?? null } }, this.clock());
    const result = await this.eventStore.append({ streamId: StreamIds.replay(portalId, replayId), events: [requested], expectedVersion: state.version, publishTo: this.topics.replays });
    return result.kind === 'conflict' ? { kind: 'conflict' } : { kind: 'accepted', applyId: requested.id };
  }

  private async state(portalId: number, replayId: string): Promise<ReplayState | undefined> {
    if (!isEventId(replayId)) return undefined;
    return replayState(await this.eventStore.readStream(StreamIds.replay(portalId, replayId)));
  }
}

function present(state: ReplayState): ReplayReport {
  const { request } = state;
  return {
    replayId: state.replayId,
    portalId: request.portalId,
    status: state.status,
    ...(state.reason ? { reason: state.reason } : {}),
    request: { ...request.data, requestedAt: request.recordedAt },
    totals: state.totals,
    decisions: [...state.answers.values()].map((answer) => {
      const { original } = answer.data;
      const originalPrompt = { id: original.prompt.id, version: original.prompt.version };
      if (isEventOfType(answer, 'DecisionReplaySkipped')) {
        const before = { prompt: originalPrompt, output: null };
        return { decisionId: original.decisionId, objectType: original.objectType, objectId: original.objectId, before, costUsd: 0, outcome: 'skipped' as const, after: { prompt: originalPrompt, output: null }, differences: [], reason: answer.data.reason };
      }
      const before = { prompt: originalPrompt, output: 'output' in original ? original.output : null };
      const prompt = { id: answer.data.prompt.id, version: answer.data.prompt.version };
      const common = { decisionId: original.decisionId, objectType: original.objectType, objectId: original.objectId, before, costUsd: answer.data.costUsd ?? null };
      if (isErased(answer.data)) {
        const { subjects, reason, at } = answer.data.erased;
        return { ...common, before: { prompt: originalPrompt, output: null }, outcome: 'erased' as const, after: { prompt, output: null }, differences: [], reason: `erased: the personal data of ${subjects.join(', ')} was erased (${reason}${at ? ` at ${at}` : ''})` };
      }
      if (isEventOfType(answer, 'DecisionReplayFailed')) {
        return { ...common, outcome: 'failed' as const, after: { prompt, output: null }, differences: [], reason: answer.data.reason };
      }
      const { differences, output, reusedFrom, notReadThen } = (answer as PlatformEvent<'DecisionReplayed'>).data;
      return {
        ...common,
        outcome: differences.length > 0 ? ('changed' as const) : ('same' as const),
        after: { prompt, output },
        differences,
        ...(reusedFrom ? { reusedFrom } : {}),
        ...(notReadThen ? { notReadThen } : {}),
      };
    }),
    applies: state.applies.map(({ requested, applied }) => ({
      applyId: requested.id,
      requestedAt: requested.recordedAt,
      decisionIds: requested.data.decisionIds,
      status: applied ? ('applied' as const) : ('pending' as const),
      ...(applied ? applied.data : {}),
    })),
  };
}
