import type { EntityManager } from 'typeorm';
import { toJsonb, type CrmObjectType } from '@app/common';
import type { ClosedWindow, PendingChange } from './coalescing';

interface WindowKey {
  portalId: number;
  objectType: CrmObjectType;
  objectId: string;
}

interface WindowRow {
  portal_id: string;
  object_type: CrmObjectType;
  object_id: string;
  changes: ClosedWindow['changes'];
}

/** SQL for the coalescing_windows table; every call runs in the caller's transaction. */
export const CoalescingRepository = {
  /** Adds changes to their object's window, opening it if needed (the first change sets due_at). */
  async add(manager: EntityManager, changes: PendingChange[]): Promise<void> {
    const byObject = new Map<string, PendingChange[]>();
    for (const change of changes) {
      const key = `${change.portalId}|${change.objectType}|${change.objectId}`;
      byObject.set(key, [...(byObject.get(key) ?? []), change]);
    }
    const groups = [...byObject.values()];
    if (groups.length === 0) return;
    await manager.query(
      `INSERT INTO coalescing_windows (portal_id, object_type, object_id, due_at, changes)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])
       ON CONFLICT (portal_id, object_type, object_id) DO UPDATE SET changes = coalescing_windows.changes || EXCLUDED.changes`,
      [
        groups.map((g) => g[0]!.portalId),
        groups.map((g) => g[0]!.objectType),
        groups.map((g) => g[0]!.objectId),
        groups.map((g) => new Date(Math.min(...g.map((c) => c.dueAt))).toISOString()),
        groups.map((g) => toJsonb(g.map(({ eventId, propertyName, propertyValue, occurredAt }) => ({ eventId, propertyName, propertyValue, occurredAt })))),
      ],
    );
  },

  /** Objects whose window closed by `now`, without locking anything yet. */
  async dueKeys(manager: EntityManager, now: Date, limit: number): Promise<WindowKey[]> {
    const rows: Array<Pick<WindowRow, 'portal_id' | 'object_type' | 'object_id'>> = await manager.query(
      'SELECT portal_id, object_type, object_id FROM coalescing_windows WHERE due_at <= $1 ORDER BY due_at LIMIT $2',
      [now.toISOString(), limit],
    );
    return rows.map((r) => ({ portalId: Number(r.portal_id), objectType: r.object_type, objectId: r.object_id }));
  },

  /** Locks those of `keys` still closed by `now`; windows another replica holds are skipped. */
  async lockDue(manager: EntityManager, now: Date, keys: WindowKey[]): Promise<ClosedWindow[]> {
    const rows: WindowRow[] = await manager.query(
      `SELECT w.portal_id, w.object_type, w.object_id, w.changes FROM coalescing_windows w
         JOIN unnest($2::bigint[], $3::text[], $4::text[]) AS k(portal_id, object_type, object_id)
           ON w.portal_id = k.portal_id AND w.object_type = k.object_type AND w.object_id = k.object_id
        WHERE w.due_at <= $1 FOR UPDATE OF w SKIP LOCKED`,
      [now.toISOString(), keys.map((k) => k.portalId), keys.map((k) => k.objectType), keys.map((k) => k.objectId)],
    );
    return rows.map((r) => ({ portalId: Number(r.portal_id), objectType: r.object_type, objectId: r.object_id, changes: r.changes }));
  },

  async remove(manager: EntityManager, windows: ClosedWindow[]): Promise<void> {
    if (windows.length === 0) return;
    await manager.query(
      `DELETE FROM coalescing_windows w USING unnest($1::bigint[], $2::text[], $3::text[]) AS d(portal_id, object_type, object_id)
        WHERE w.portal_id = d.portal_id AND w.object_type = d.object_type AND w.object_id = d.object_id`,
      [windows.map((w) => w.portalId), windows.map((w) => w.objectType), windows.map((w) => w.objectId)],
    );
  },

  async openCount(manager: EntityManager): Promise<number> {
    const [row] = (await manager.query('SELECT count(*)::int AS n FROM coalescing_windows')) as Array<{ n: number }>;
    return row?.n ?? 0;
  },
};
