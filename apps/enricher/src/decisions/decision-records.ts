import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isErased, PersonalData, type PlatformEvent } from '@app/common';

/** Reads recorded decisions back: the never-pay-twice lookup by rendered-prompt hash, and how often changes re-decided a record. */
@Injectable()
export class DecisionRecords {
  constructor(
    private readonly dataSource: DataSource,
    /** Opens the sealed answer (docs/decisions/0019); absent in tests that record nothing sealed. */
    @Optional() private readonly personalData?: PersonalData,
  ) {}

  /**
   * The latest decision of this portal whose rendered prompt hashed to `promptHash` (index: events_decision_prompt_hash),
   * opened; undefined when its answer was erased (the model is asked again).
   */
  async findByPromptHash(portalId: number, promptHash: string): Promise<Pick<PlatformEvent<'DecisionMade'>, 'id' | 'data'> | undefined> {
    const rows: Array<{ event_id: string; data: PlatformEvent<'DecisionMade'>['data'] }> = await this.dataSource.query(
      `SELECT event_id, data FROM events
        WHERE type = 'DecisionMade' AND portal_id = $1 AND data->'prompt'->>'hash' = $2
        ORDER BY global_position DESC LIMIT 1`,
      [portalId, promptHash],
    );
    const row = rows[0];
    if (!row) return undefined;
    const data = this.personalData ? await this.personalData.openData({ id: row.event_id, portalId, data: row.data }) : row.data;
    return isErased(data) ? undefined : { id: row.event_id, data };
  }

  /** How many decisions changes to the record of this stream caused since `since` (the stream's own rows: its index). */
  async countChangeDecisionsSince(streamId: string, since: Date): Promise<number> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM events
        WHERE stream_id = $1 AND type = 'DecisionMade' AND data->'trigger'->>'type' = 'ObjectChanged' AND recorded_at >= $2`,
      [streamId, since],
    )) as Array<{ n: number }>;
    return row!.n;
  }
}
