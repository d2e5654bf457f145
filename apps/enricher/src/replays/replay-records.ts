import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { PlatformEvent } from '@app/common';

/** A past decision a replay asks again, with the snapshot its context held. */
export interface DecisionToReplay {
  decision: Pick<PlatformEvent<'DecisionMade'>, 'id' | 'data'>;
  streamId: string;
  globalPosition: string;
  context: PlatformEvent<'ContextFetched'>['data'];
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
  constructor(private readonly dataSource: DataSource) {}

  async decisionsToReplay(selection: ReplaySelection): Promise<DecisionToReplay[]> {
    // The portal's partial indexes of decisions serve this filter (events_model_calls: portal_id, recorded_at).
    const rows: Array<{ event_id: string; stream_id: string; global_position: string; decision: PlatformEvent<'DecisionMade'>['data']; context: PlatformEvent<'ContextFetched'>['data'] }> =
      await this.dataSource.query(
        `SELECT d.event_id, d.stream_id, d.global_position, d.data AS decision, c.data AS context
           FROM events d
           JOIN events c ON c.event_id = d.causation_id::uuid AND c.type = 'ContextFetched'
          WHERE d.type = 'DecisionMade' AND d.portal_id = $1 AND d.data->'prompt'->>'id' = $2
            AND d.recorded_at >= coalesce($3::timestamptz, '-infinity') AND d.recorded_at < coalesce($4::timestamptz, 'infinity')
            AND d.global_position > $5
          ORDER BY d.global_position
          LIMIT $6`,
        [selection.portalId, selection.promptId, selection.from, selection.to, selection.after, selection.limit],
      );
    return rows.map((r) => ({ decision: { id: r.event_id, data: r.decision }, streamId: r.stream_id, globalPosition: String(r.global_position), context: r.context }));
  }

  /**
   * For applying: the snapshot each of these decisions saw (their ContextFetched),
   * and the latest later decision on the same record, if any, by decision id.
   */
  async decisionsToApply(decisionIds: string[]): Promise<Map<string, { snapshot: Record<string, string>; supersededBy: string | null }>> {
    if (decisionIds.length === 0) return new Map();
    const rows: Array<{ event_id: string; snapshot: Record<string, string>; superseded_by: string | null }> = await this.dataSource.query(
      `SELECT d.event_id, c.data->'snapshot' AS snapshot,
              (SELECT n.event_id::text FROM events n
                WHERE n.stream_id = d.stream_id AND n.type = 'DecisionMade' AND n.global_position > d.global_position
                ORDER BY n.global_position DESC LIMIT 1) AS superseded_by
         FROM events d JOIN events c ON c.event_id = d.causation_id::uuid AND c.type = 'ContextFetched'
        WHERE d.event_id = ANY($1::uuid[]) AND d.type = 'DecisionMade'`,
      [decisionIds],
    );
    return new Map(rows.map((r) => [r.event_id, { snapshot: r.snapshot, supersededBy: r.superseded_by }]));
  }
}
