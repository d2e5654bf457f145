import { causedBy, startStory } from '../events/envelope';
import type { EventPayloads, EventType, PlatformEvent, PortalAlertKind } from '../events/event-types';
import type { PortalSettings, PortalStatus } from './portal.entity';
import type { Portal } from './portal.repository';

/** What an operator changes on a portal (the admin API's PATCH, or a tool). */
export interface PortalChange {
  name?: string;
  status?: PortalStatus;
  /** Top-level settings to set (the others are left as they are). */
  settings?: PortalSettings;
  /** Removes every alert of the portal. */
  clearAlerts?: boolean;
}

/**
 * The events that record `change` against the portal as it is, in one story (the
 * first starts it, the others are caused by it): PortalSettingsChanged with each
 * top-level setting (or the name) that differs, before and after; PortalStatusChanged;
 * PortalAlertsCleared. Nothing that does not differ is recorded: [] for no change. Pure.
 */
export function portalChangeEvents(current: Portal, change: PortalChange, requestedBy: string, now: Date): PlatformEvent[] {
  const portalId = current.portalId;
  const events: PlatformEvent[] = [];
  const record = <T extends EventType>(type: T, data: EventPayloads[T]) =>
    events.push(events.length === 0 ? startStory({ type, portalId, data }, now) : causedBy(events[0]!, { type, portalId, data }, now));
  const changes: Array<{ path: string; before?: unknown; after?: unknown }> = [];
  if (change.name !== undefined && change.name !== current.name) changes.push({ path: 'name', before: current.name, after: change.name });
  for (const [path, after] of Object.entries(change.settings ?? {})) {
    const before = current.settings[path];
    if (after === undefined || JSON.stringify(before) === JSON.stringify(after)) continue;
    changes.push(before === undefined ? { path, after } : { path, before, after });
  }
  if (changes.length > 0) record('PortalSettingsChanged', { changes, requestedBy });
  if (change.status !== undefined && change.status !== current.status) record('PortalStatusChanged', { from: current.status, to: change.status, reason: 'set by an operator', requestedBy });
  const alerts = Object.keys(current.alerts) as PortalAlertKind[];
  if (change.clearAlerts && alerts.length > 0) record('PortalAlertsCleared', { alerts, requestedBy });
  return events;
}
