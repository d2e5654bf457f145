import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * What each deal was last assessed from (table deal_assessments): the review's
 * change detection. Written only after an assessment's decision was recorded.
 */
@Injectable()
export class DealAssessments {
  constructor(private readonly dataSource: DataSource) {}

  /** Deal id → the input hash of its last recorded assessment, for one portal. */
  async hashes(portalId: number): Promise<Map<string, string>> {
    const rows: Array<{ deal_id: string; input_hash: string }> = await this.dataSource.query(`SELECT deal_id, input_hash FROM deal_assessments WHERE portal_id = $1`, [portalId]);
    return new Map(rows.map((r) => [r.deal_id, r.input_hash]));
  }

  async remember(portalId: number, dealId: string, inputHash: string, requestId: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO deal_assessments (portal_id, deal_id, input_hash, request_id, assessed_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (portal_id, deal_id) DO UPDATE SET input_hash = EXCLUDED.input_hash, request_id = EXCLUDED.request_id, assessed_at = EXCLUDED.assessed_at
       WHERE deal_assessments.assessed_at <= EXCLUDED.assessed_at`,
      [portalId, dealId, inputHash, requestId, at],
    );
  }
}
