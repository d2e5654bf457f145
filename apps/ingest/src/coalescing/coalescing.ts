import { causedBy, deterministicId, type CrmObjectType, type PlatformEvent } from '@app/common';

/** One property change waiting in its object's coalescing window. */
export interface PendingChange {
  portalId: number;
  objectType: CrmObjectType;
  objectId: string;
  /** The WebhookEventReceived that carried it. */
  eventId: string;
  propertyName: string;
  propertyValue: string | null;
  /** HubSpot's occurredAt (ms). */
  occurredAt: number;
  /** When the window closes (ms); the first change of a window sets it. */
  dueAt: number;
}

export interface ClosedWindow {
  portalId: number;
  objectType: CrmObjectType;
  objectId: string;
  changes: Array<Pick<PendingChange, 'eventId' | 'propertyName' | 'propertyValue' | 'occurredAt'>>;
}

/**
 * Folds a closed window into one ObjectChanged trigger. Pure. The latest value of
 * each property wins by HubSpot's occurredAt (deliveries arrive out of order); ties
 * break on event id so the result does not depend on arrival order. The id derives
 * from the source events, so flushing the same window twice yields one event.
 */
export function objectChangedFrom(window: ClosedWindow, now: Date): PlatformEvent<'ObjectChanged'> {
  const ordered = [...window.changes].sort((a, b) => a.occurredAt - b.occurredAt || a.eventId.localeCompare(b.eventId));
  const properties: Record<string, string | null> = {};
  for (const change of ordered) properties[change.propertyName] = change.propertyValue;
  const sourceEventIds = [...new Set(ordered.map((c) => c.eventId))].sort();
  const first = ordered[0]!;
  const last = ordered[ordered.length - 1]!;
  return causedBy(
    { id: first.eventId, correlationId: first.eventId },
    {
      type: 'ObjectChanged',
      portalId: window.portalId,
      id: deterministicId('object-changed', ...sourceEventIds),
      occurredAt: new Date(last.occurredAt),
      data: {
        objectType: window.objectType,
        objectId: window.objectId,
        properties,
        sourceEventIds,
        firstOccurredAt: new Date(first.occurredAt).toISOString(),
        lastOccurredAt: new Date(last.occurredAt).toISOString(),
      },
    },
    now,
  );
}
