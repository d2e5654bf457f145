import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isErased, PersonalData, type ErasedMarker, type PlatformEvent } from '@app/common';

/** A past decision a replay asks again, with the snapshot its context held. */
export interface DecisionToReplay {
  decision: Pick<PlatformEvent<'DecisionMade'>, 'id' | 'data'>;
  streamId: string;
  globalPosition: string;
  context: PlatformEvent<'ContextFetched'>['data'];
  /** Set when the snapshot (or the original answer) was erased (docs/decisions/0019): the decision cannot be asked again. */
  erased?: ErasedMarker;
  /** The data subjects the original context was sealed for: the replay's events are sealed for them too. */
  subjects?: string[];
}

export interface ReplaySelection {
  portalId: number;
  promptId: string;
  from: Date | null;
  to: Date | null;
  /** Global position of the last decision already asked again. */
  after: string;
  limit: number;
}

/** Reads the decisions a replay covers: oldest first, each with the ContextFetched that caused it. */
@Injectable()
export class ReplayRecords {
  constructor(
    private readonly dataSource: DataSource,
    /** Opens sealed snapshots and answers (docs/decisions/0019); absent in tests that record nothing sealed. */
    @Optional() private readonly personalData?: PersonalData,
  ) {}

  async decisionsToReplay(selection: ReplaySelection): Promise<DecisionToReplay[]> {
    // The portal's partial indexes of decisions serve this filter (events_model_calls: portal_id, recorded_at).
    const rows: Array<{ event_id: string; context_id: string; portal_id: string; stream_id: string; global_position: string; decision: PlatformEvent<'DecisionMade'>['data']; context: PlatformEvent<'ContextFetched'>['data'] }> =
      await this.dataSource.query(
        `SELECT d.event_id, c.event_id AS context_id, d.portal_id, d.stream_id, d.global_position, d.data AS decision, c.data AS context
           FROM events d
           JOIN events c ON c.event_id = d.causation_id::uuid AND c.type = 'ContextFetched'
          WHERE d.type = 'DecisionMade' AND d.portal_id = $1 AND d.data->'prompt'->>'id' = $2
            AND d.recorded_at >= coalesce($3::timestamptz, '-infinity') AND d.recorded_at < coalesce($4::timestamptz, 'infinity')
            AND d.global_position > $5
          ORDER BY d.global_position
          LIMIT $6`,
        [selection.portalId, selection.promptId, selection.from, selection.to, selection.after, selection.limit],
      );
    const decisions = await this.open(rows.map((r) => ({ id: r.event_id, portalId: Number(r.portal_id), data: r.decision })));
    const contexts = await this.open(rows.map((r) => ({ id: r.context_id, portalId: Number(r.portal_id), data: r.context })));
    return rows.map((r, i) => {
      const decision = decisions[i]!.data;
      const context = contexts[i]!.data;
      const erased = isErased(context) ? context.erased : isErased(decision) ? decision.erased : undefined;
      const subjects = this.personalData?.subjectsOf(context);
      return {
        decision: { id: r.event_id, data: decision },
        streamId: r.stream_id,
        globalPosition: String(r.global_position),
        context,
        ...(erased ? { erased } : {}),
        ...(subjects ? { subjects } : {}),
      };
    });
  }

  /**
   * For applying: the snapshot each of these decisions saw (their ContextFetched),
   * and the latest later decision on the same record, if any, by decision id.
   */
  async decisionsToApply(decisionIds: string[]): Promise<Map<string, { snapshot: Record<string, string> | undefined; erased?: ErasedMarker; subjects?: string[]; supersededBy: string | null }>> {
    if (decisionIds.length === 0) return new Map();
    const rows: Array<{ event_id: string; context_id: string; portal_id: string; context: PlatformEvent<'ContextFetched'>['data']; superseded_by: string | null }> = await this.dataSource.query(
      `SELECT d.event_id, c.event_id AS context_id, c.portal_id, c.data AS context,
              (SELECT n.event_id::text FROM events n
                WHERE n.stream_id = d.stream_id AND n.type = 'DecisionMade' AND n.global_position > d.global_position
                ORDER BY n.global_position DESC LIMIT 1) AS superseded_by
         FROM events d JOIN events c ON c.event_id = d.causation_id::uuid AND c.type = 'ContextFetched'
        WHERE d.event_id = ANY($1::uuid[]) AND d.type = 'DecisionMade'`,
      [decisionIds],
    );
    const contexts = await this.open(rows.map((r) => ({ id: r.context_id, portalId: Number(r.portal_id), data: r.context })));
    return new Map(
      rows.map((r, i) => {
        const context = contexts[i]!.data;
        const subjects = this.personalData?.subjectsOf(context);
        const found = isErased(context)
          ? { snapshot: undefined, erased: context.erased, supersededBy: r.superseded_by }
          : { snapshot: context.snapshot as Record<string, string>, supersededBy: r.superseded_by, ...(subjects ? { subjects } : {}) };
        return [r.event_id, found];
      }),
    );
  }

  private open<T extends { id: string; portalId: number; data: unknown }>(events: T[]): Promise<T[]> {
    return this.personalData ? this.personalData.open(events) : Promise.resolve(events);
  }
}
