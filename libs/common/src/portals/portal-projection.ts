import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '../events/envelope';
import { isEventOfType, type EventType, type PlatformEvent } from '../events/event-types';

/**
 * The `portals` table as a projection of the portals' events (docs/decisions/0020):
 * every change to a portal's name, status, settings, alerts, account and connection
 * is an event on its stream, applied here in the transaction that records it, and
 * the table can be rebuilt from the log (PortalLifecycle.rebuild). Each event's
 * change is one statement that does not depend on reading the row first, so
 * concurrent writers (two services raising alerts) never lose each other's change,
 * and a rebuild applying the same events in the same order gets the same rows.
 */
export const PORTAL_PROJECTION_EVENTS = [
  'PortalRegistered',
  'PortalStateImported',
  'PortalSettingsChanged',
  'PortalStatusChanged',
  'PortalAlertRaised',
  'PortalAlertsCleared',
  'PortalConnected',
  'PortalDisconnected',
  'PortalScopesChanged',
  'PortalAccountRead',
  'PortalOffboarded',
] as const satisfies readonly EventType[];

/** Every event of a portal's life (GET /admin/portals/:id/events): the projection's, and what happened around them. */
export const PORTAL_LIFE_EVENTS = [
  ...PORTAL_PROJECTION_EVENTS,
  'PortalTokenRefreshed',
  'PortalInstallRefused',
  'PropertiesBootstrapped',
  'SubjectErased',
  'PersonalDataExpired',
  'BackfillRequested',
  'BackfillPaused',
  'BackfillResumed',
  'BackfillCancelled',
  'BackfillCompleted',
  'BackfillFailed',
  'ReplayRequested',
  'ReplayCompleted',
  'ReplayApplied',
  'DeadLettersRedriven',
] as const satisfies readonly EventType[];

/** Applies one event to the projection (no-op for an event it does not project). */
export async function projectPortalEvent(manager: EntityManager, event: EventEnvelope): Promise<void> {
  const at = event.recordedAt;
  const id = event.portalId;
  if (isEventOfType(event, 'PortalRegistered')) {
    // A registration after an offboarding starts the row again.
    await manager.query(
      `INSERT INTO portals (portal_id, name, status, settings, alerts, account, connection, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, '{}'::jsonb, '{}'::jsonb, '{}'::jsonb, $5, $5)
       ON CONFLICT (portal_id) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status, settings = EXCLUDED.settings, alerts = '{}'::jsonb,
         account = '{}'::jsonb, connection = '{}'::jsonb, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at`,
      [id, event.data.name, event.data.status ?? 'active', JSON.stringify(event.data.settings ?? {}), at],
    );
    return;
  }
  if (isEventOfType(event, 'PortalStateImported')) {
    const { name, status, settings, alerts, createdAt } = event.data;
    await manager.query(
      `INSERT INTO portals (portal_id, name, status, settings, alerts, account, connection, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, '{}'::jsonb, '{}'::jsonb, $6, $7)
       ON CONFLICT (portal_id) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status, settings = EXCLUDED.settings, alerts = EXCLUDED.alerts, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at`,
      [id, name, status, JSON.stringify(settings), JSON.stringify(alerts), createdAt, at],
    );
    return;
  }
  if (isEventOfType(event, 'PortalSettingsChanged')) {
    const name = event.data.changes.find((c) => c.path === 'name');
    const settings = event.data.changes.filter((c) => c.path !== 'name');
    const removed = settings.filter((c) => c.after === undefined).map((c) => c.path);
    const set = Object.fromEntries(settings.filter((c) => c.after !== undefined).map((c) => [c.path, c.after]));
    await manager.query(
      `UPDATE portals SET settings = (settings - $2::text[]) || $3::jsonb, name = COALESCE($4, name), updated_at = $5 WHERE portal_id = $1`,
      [id, removed, JSON.stringify(set), typeof name?.after === 'string' ? name.after : null, at],
    );
    return;
  }
  if (isEventOfType(event, 'PortalStatusChanged')) {
    await manager.query(`UPDATE portals SET status = $2, updated_at = $3 WHERE portal_id = $1`, [id, event.data.to, at]);
    return;
  }
  if (isEventOfType(event, 'PortalAlertRaised')) {
    const alert = JSON.stringify({ [event.data.alert]: { message: event.data.message, raisedAt: at } });
    await manager.query(
      `UPDATE portals SET alerts = alerts || $2::jsonb, status = CASE WHEN $3 AND status = 'active' THEN 'paused' ELSE status END, updated_at = $4 WHERE portal_id = $1`,
      [id, alert, event.data.pause === true, at],
    );
    return;
  }
  if (isEventOfType(event, 'PortalAlertsCleared')) {
    await manager.query(`UPDATE portals SET alerts = alerts - $2::text[], updated_at = $3 WHERE portal_id = $1`, [id, event.data.alerts, at]);
    return;
  }
  if (isEventOfType(event, 'PortalConnected')) {
    const { reconnect: _reconnect, ...connection } = event.data;
    await manager.query(`UPDATE portals SET connection = $2::jsonb, updated_at = $3 WHERE portal_id = $1`, [id, JSON.stringify({ ...connection, connectedAt: at }), at]);
    return;
  }
  if (isEventOfType(event, 'PortalDisconnected')) {
    await manager.query(`UPDATE portals SET connection = connection || $2::jsonb, updated_at = $3 WHERE portal_id = $1`, [id, JSON.stringify({ disconnectedAt: at }), at]);
    return;
  }
  if (isEventOfType(event, 'PortalScopesChanged')) {
    const change = { scopes: event.data.scopes, capabilities: event.data.capabilities };
    await manager.query(`UPDATE portals SET connection = connection || $2::jsonb, updated_at = $3 WHERE portal_id = $1`, [id, JSON.stringify(change), at]);
    return;
  }
  if (isEventOfType(event, 'PortalAccountRead')) {
    await manager.query(`UPDATE portals SET account = $2::jsonb, updated_at = $3 WHERE portal_id = $1`, [id, JSON.stringify(event.data), at]);
    return;
  }
  if (isEventOfType(event, 'PortalOffboarded')) {
    await manager.query(`DELETE FROM portals WHERE portal_id = $1`, [id]);
  }
}

/** Whether the projection applies this event. */
export function isProjected(event: EventEnvelope): event is PlatformEvent<(typeof PORTAL_PROJECTION_EVENTS)[number]> {
  return (PORTAL_PROJECTION_EVENTS as readonly string[]).includes(event.type);
}
