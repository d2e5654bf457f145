import type { PortalSettings, WritebackCommand } from '@app/common';
import type { WriteItem } from '../pipeline/portal-queue';

/** The owner an item writes: its override, else the routed one (a task's owner or an update's hubspot_owner_id). */
export function ownerSent(item: WriteItem): string | undefined {
  if (item.ownerOverride !== undefined) return item.ownerOverride ?? undefined;
  const command = item.commands[0]!.request.data;
  if (command.kind === 'create-task') return command.ownerId;
  if (command.kind === 'update-properties') return (item.properties ?? command.properties).hubspot_owner_id;
  return undefined;
}

/**
 * Who gets the work when HubSpot refuses the routed owner (deactivated since the
 * settings were saved): the routing's default owner, unless that is the refused
 * one too; then nobody (HubSpot's own assignment rules apply). Pure.
 */
export function fallbackOwner(settings: PortalSettings, command: WritebackCommand, refused: string | undefined): string | null {
  const routing = command.objectType === 'tickets' ? settings.serviceRouting : settings.leadRouting;
  const fallback = routing?.defaultOwnerId;
  return fallback !== undefined && fallback !== refused ? fallback : null;
}
