import { causedBy, deterministicId, type EventEnvelope } from './envelope';
import type { PlatformEvent } from './event-types';

/** The TriggerSkipped event of a trigger: at most one per trigger (deterministic id), in its story. */
export function triggerSkipped(trigger: EventEnvelope, triggerType: string, reason: string, now: Date): PlatformEvent<'TriggerSkipped'> {
  return causedBy(
    trigger,
    { type: 'TriggerSkipped', portalId: trigger.portalId, id: deterministicId('skipped', trigger.id), data: { trigger: { eventId: trigger.id, type: triggerType }, reason } },
    now,
  );
}
