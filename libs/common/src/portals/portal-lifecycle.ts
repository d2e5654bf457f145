import type { DataSource, EntityManager } from 'typeorm';
import type { EventStore } from '../event-store/event-store.repository';
import type { PlatformEvent } from '../events/event-types';
import { StreamIds } from '../events/stream-ids';
import { PORTAL_PROJECTION_EVENTS, isProjected, projectPortalEvent } from './portal-projection';

/**
 * The one way a portal's state changes: its events are appended to the portal's
 * stream and applied to the `portals` projection in the same transaction (with
 * `alsoInTransaction` for what must commit with them, e.g. its credentials).
 * Duplicates (an event id already recorded) are not applied again.
 */
export class PortalLifecycle {
  /** Told, after each commit, which portal changed: in-process caches of portals forget it (ingest's PortalCache). */
  private readonly listeners = new Set<(portalId: number) => void>();

  constructor(
    private readonly eventStore: EventStore,
    private readonly dataSource?: DataSource,
  ) {}

  /** Calls `listener` with the portal's id after every recorded change of it in this process; returns how to stop. */
  onRecorded(listener: (portalId: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Rebuilds the whole table in one transaction that holds the table's lock: a
   * portal event recorded meanwhile waits, then applies on top of the rebuilt row.
   */
  async rebuildAll(): Promise<{ events: number; portals: number }> {
    if (!this.dataSource) throw new Error('PortalLifecycle.rebuildAll needs the data source');
    return this.dataSource.transaction(async (manager) => {
      await manager.query('LOCK TABLE portals IN EXCLUSIVE MODE');
      const { events } = await this.rebuild(manager);
      const rows = (await manager.query('SELECT count(*)::int AS count FROM portals')) as Array<{ count: number }>;
      return { events, portals: rows[0]?.count ?? 0 };
    });
  }

  /**
   * `options.mustBeNew`: a registration; refused with PortalExistsError when the
   * portal's row exists by the time this transaction holds the portal's stream (a
   * concurrent first registration won), so it never overwrites that one.
   */
  async record(portalId: number, events: PlatformEvent[], alsoInTransaction?: (manager: EntityManager) => Promise<void>, options: { mustBeNew?: boolean } = {}): Promise<void> {
    const result = await this.eventStore.appendAll([{ streamId: StreamIds.portal(portalId), events }], async (manager, results) => {
      if (options.mustBeNew && ((await manager.query(`SELECT 1 FROM portals WHERE portal_id = $1`, [portalId])) as unknown[]).length > 0) throw new PortalExistsError(portalId);
      const fresh = new Set(results.flatMap((r) => (r.kind === 'appended' ? r.appendedIds : [])));
      for (const event of events) if (isProjected(event) && fresh.has(event.id)) await projectPortalEvent(manager, event);
      if (alsoInTransaction) await alsoInTransaction(manager);
    });
    if (result.kind !== 'committed') throw new Error(`portal ${portalId}: its stream changed while recording ${events.map((e) => e.type).join(', ')}`);
    for (const listener of this.listeners) listener(portalId);
  }

  /**
   * Rebuilds the `portals` table from the log: every projected event, in global
   * order, in one transaction. Secrets live apart (portal_credentials) and stay.
   */
  async rebuild(manager: EntityManager): Promise<{ events: number }> {
    await manager.query(`DELETE FROM portals`);
    let after = '0';
    let count = 0;
    for (;;) {
      const page = await this.eventStore.readByTypes(PORTAL_PROJECTION_EVENTS, after, 1000);
      for (const event of page) await projectPortalEvent(manager, event);
      count += page.length;
      if (page.length < 1000) return { events: count };
      after = page[page.length - 1]!.globalPosition;
    }
  }
}

/** A registration found the portal registered meanwhile (nothing of it was recorded). */
export class PortalExistsError extends Error {
  constructor(readonly portalId: number) {
    super(`portal ${portalId} was registered meanwhile`);
    this.name = 'PortalExistsError';
  }
}
