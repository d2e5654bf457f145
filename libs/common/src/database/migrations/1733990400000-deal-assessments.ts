import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the daily pipeline review last had assessed of each deal (Management AI):
 * the hash of the deal's facts as the review listed them, the reasons and the
 * prompt version (`input_hash`). The next review asks for a new assessment only
 * when the hash differs, so an unchanged deal costs no HubSpot read and no model
 * call. A cache of what the events say (DealReviewRequested → DecisionMade), kept
 * only after the assessment was recorded: losing it costs one re-assessment, never
 * a missed one.
 */
export class DealAssessments1733990400000 implements MigrationInterface {
  name = 'DealAssessments1733990400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE deal_assessments (
        portal_id bigint NOT NULL,
        deal_id text NOT NULL,
        input_hash text NOT NULL,
        request_id uuid NOT NULL,
        assessed_at timestamptz NOT NULL,
        PRIMARY KEY (portal_id, deal_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deal_assessments`);
  }
}
