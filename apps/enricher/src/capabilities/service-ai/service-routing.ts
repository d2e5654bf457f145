import { TICKET_PRIORITIES, type ServiceRoutingSettings, type TicketPriority } from '@app/common';
import type { TicketTriage } from './ticket-triage.answer';

/** Hours to respond by priority when the portal sets no SLA of its own. */
export const DEFAULT_SLA_HOURS: Record<TicketPriority, number> = { URGENT: 1, HIGH: 4, MEDIUM: 24, LOW: 72 };

export interface TicketAssignee {
  ownerId?: string;
  teamId?: string;
}

/** Who handles this ticket under the portal's rules: the first matching rule, else the default owner. Pure. */
export function chooseTicketAssignee(triage: Pick<TicketTriage, 'category' | 'priority'>, routing: ServiceRoutingSettings = {}): TicketAssignee {
  const rank = (p: TicketPriority) => TICKET_PRIORITIES.indexOf(p);
  const rule = (routing.rules ?? []).find(
    (r) => (r.category === undefined || r.category === triage.category) && (r.minPriority === undefined || rank(triage.priority) >= rank(r.minPriority)),
  );
  const ownerId = rule?.ownerId ?? (rule?.teamId ? undefined : routing.defaultOwnerId);
  return { ...(ownerId ? { ownerId } : {}), ...(rule?.teamId ? { teamId: rule.teamId } : {}) };
}

/** When the response is due: the portal's SLA for this priority after the decision. */
export function responseDueAt(decidedAt: Date, priority: TicketPriority, routing: ServiceRoutingSettings = {}): { dueAt: string; hours: number } {
  const hours = routing.slaHours?.[priority] ?? DEFAULT_SLA_HOURS[priority];
  return { dueAt: new Date(decidedAt.getTime() + hours * 3_600_000).toISOString(), hours };
}
