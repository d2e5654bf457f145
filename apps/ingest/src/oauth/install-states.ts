import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { returnedRows } from '@app/common';

/** An install's state, once its signature and the store checked it. */
export type StateCheck =
  | { kind: 'valid'; template: string | null; expectedPortalId: number | null; approved: boolean }
  | { kind: 'invalid' | 'used' | 'expired' };

/**
 * The OAuth `state` of each install started (GET /oauth/install): a random id in
 * `oauth_states`, signed with the app's client secret (HMAC-SHA256), single-use and
 * short-lived. A forged state fails its signature before any query; a real one is
 * consumed atomically, so a replayed callback finds it used.
 */
export class InstallStates {
  constructor(
    private readonly dataSource: DataSource,
    private readonly signingSecret: string,
    private readonly ttlMs: number,
  ) {}

  /** `approved`: minted by an operator; `ttlMs`: how long the link works (default OAUTH_STATE_TTL_MS). */
  async create(options: { template: string | null; expectedPortalId: number | null; approved: boolean; ttlMs?: number }, now: Date): Promise<{ state: string; expiresAt: Date }> {
    const id = randomUUID();
    // Expired states are of no use to anyone: the table stays small however often the link is opened.
    await this.dataSource.query(`DELETE FROM oauth_states WHERE expires_at < $1`, [new Date(now.getTime() - 86_400_000)]);
    const expiresAt = new Date(now.getTime() + (options.ttlMs ?? this.ttlMs));
    await this.dataSource.query(`INSERT INTO oauth_states (state_id, created_at, expires_at, template, expected_portal_id, approved) VALUES ($1, $2, $3, $4, $5, $6)`, [
      id,
      now,
      expiresAt,
      options.template,
      options.expectedPortalId,
      options.approved,
    ]);
    return { state: `${id}.${this.sign(id)}`, expiresAt };
  }

  async consume(state: string | undefined, now: Date): Promise<StateCheck> {
    const [id, signature] = (state ?? '').split('.');
    if (!id || !signature || !/^[0-9a-f-]{36}$/.test(id) || !this.verify(id, signature)) return { kind: 'invalid' };
    const [row] = returnedRows<{ template: string | null; expected_portal_id: string | null; approved: boolean }>(
      await this.dataSource.query(
        `UPDATE oauth_states SET used_at = $2 WHERE state_id = $1 AND used_at IS NULL AND expires_at > $2 RETURNING template, expected_portal_id::text, approved`,
        [id, now],
      ),
    );
    if (row) return { kind: 'valid', template: row.template, expectedPortalId: row.expected_portal_id === null ? null : Number(row.expected_portal_id), approved: row.approved };
    const [known] = (await this.dataSource.query(`SELECT used_at FROM oauth_states WHERE state_id = $1`, [id])) as Array<{ used_at: Date | null }>;
    if (!known) return { kind: 'invalid' };
    return known.used_at ? { kind: 'used' } : { kind: 'expired' };
  }

  private sign(id: string): string {
    return createHmac('sha256', this.signingSecret).update(`hubspot-ai oauth state ${id}`).digest('base64url');
  }

  private verify(id: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(id));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
