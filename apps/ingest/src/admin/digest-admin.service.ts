import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore, PortalRepository, StreamIds, type StoredEvent } from '@app/common';

export type DigestsRead =
  | { kind: 'found'; portalId: number; date: string; streamId: string; digests: StoredEvent[] }
  | { kind: 'portal-not-registered' }
  | { kind: 'none'; date: string | null };

/**
 * Reads a portal's recorded daily digests (PipelineDigestComposed, on the review's
 * stream of its local date) through the event store's read API, so their sealed
 * text comes back opened (docs/decisions/0019). Without a date: the date of the
 * latest digest recorded.
 */
@Injectable()
export class DigestAdminService {
  constructor(
    private readonly portals: PortalRepository,
    private readonly eventStore: EventStore,
    private readonly dataSource: DataSource,
  ) {}

  async digests(portalId: number, date: string | undefined): Promise<DigestsRead> {
    if (!(await this.portals.find(portalId))) return { kind: 'portal-not-registered' };
    const day = date ?? (await this.latestDate(portalId));
    if (day === undefined) return { kind: 'none', date: null };
    const streamId = StreamIds.review(portalId, day);
    const digests = (await this.eventStore.readStream(streamId)).filter((e) => e.type === 'PipelineDigestComposed');
    return digests.length > 0 ? { kind: 'found', portalId, date: day, streamId, digests } : { kind: 'none', date: day };
  }

  /** The local date of the portal's latest recorded digest (its `date` is a clear field: no key needed). */
  private async latestDate(portalId: number): Promise<string | undefined> {
    const rows: Array<{ date: string }> = await this.dataSource.query(
      `SELECT data->>'date' AS date FROM events WHERE portal_id = $1 AND type = 'PipelineDigestComposed' ORDER BY global_position DESC LIMIT 1`,
      [portalId],
    );
    return rows[0]?.date;
  }
}
