import type { DataSource } from 'typeorm';
import type { PortalHubSpotPlan } from './api-limits';
import type { BudgetState } from './token-bucket';

export interface VersionedBudget {
  state: BudgetState;
  version: number;
}

/** The hubspot_budgets table: one versioned state per portal. */
export class BudgetRepository {
  constructor(private readonly dataSource: DataSource) {}

  async load(portalId: number): Promise<VersionedBudget | undefined> {
    const rows: Array<{ state: BudgetState; version: string }> = await this.dataSource.query(`SELECT state, version FROM hubspot_budgets WHERE portal_id = $1`, [portalId]);
    const row = rows[0];
    return row ? { state: row.state, version: Number(row.version) } : undefined;
  }

  /** Creates the row unless another process did first; returns the row as stored. */
  async create(portalId: number, state: BudgetState): Promise<VersionedBudget> {
    await this.dataSource.query(`INSERT INTO hubspot_budgets (portal_id, state) VALUES ($1, $2) ON CONFLICT (portal_id) DO NOTHING`, [portalId, JSON.stringify(state)]);
    const stored = await this.load(portalId);
    if (!stored) throw new Error(`hubspot_budgets row for portal ${portalId} vanished`);
    return stored;
  }

  /** Writes `state` if nobody changed the row since `version`; returns the new version, or undefined on a conflict. */
  async compareAndSet(portalId: number, version: number, state: BudgetState): Promise<number | undefined> {
    // TypeORM answers an UPDATE with [rows, affectedCount].
    const [rows]: [Array<{ version: string }>, number] = await this.dataSource.query(
      `UPDATE hubspot_budgets SET state = $3, version = version + 1, updated_at = now() WHERE portal_id = $1 AND version = $2 RETURNING version`,
      [portalId, version, JSON.stringify(state)],
    );
    return rows[0] ? Number(rows[0].version) : undefined;
  }

  /** Every portal's stored budget with its plan (settings.hubspot), for the budget gauges. */
  async loadAllWithPlans(): Promise<Array<{ portalId: number; state: BudgetState; plan: PortalHubSpotPlan }>> {
    const rows: Array<{ portal_id: string; state: BudgetState; plan: PortalHubSpotPlan | null }> = await this.dataSource.query(
      `SELECT b.portal_id, b.state, p.settings->'hubspot' AS plan FROM hubspot_budgets b LEFT JOIN portals p ON p.portal_id = b.portal_id`,
    );
    return rows.map((row) => ({ portalId: Number(row.portal_id), state: row.state, plan: row.plan ?? {} }));
  }
}
