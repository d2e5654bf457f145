import { deterministicId, type WritebackCommand } from '@app/common';
import { escapeHtml } from '../writebacks/note-html';
import type { TicketAssignee } from './service-routing';
import type { TicketTriage } from './ticket-triage.dto';

/** The HubSpot ticket properties Service AI writes (priority is HubSpot's own). */
export const TICKET_PROPERTIES = {
  category: 'ai_category',
  sentiment: 'ai_sentiment',
  summary: 'ai_summary',
  priority: 'hs_ticket_priority',
  owner: 'hubspot_owner_id',
  team: 'hubspot_team_id',
} as const;

export interface TicketResponsePlan {
  assignee: TicketAssignee;
  dueAt: string;
  slaHours: number;
  decidedAt: string;
}

const TASK_PRIORITY: Record<TicketTriage['priority'], 'LOW' | 'MEDIUM' | 'HIGH'> = { LOW: 'LOW', MEDIUM: 'MEDIUM', HIGH: 'HIGH', URGENT: 'HIGH' };

/**
 * Which writebacks a ticket triage implies: the AI properties, the priority and
 * the routed owner/team on the ticket, the reply draft as a note on it, and an
 * SLA task to respond. Pure; every command id derives from the decision.
 */
export function planTicketWritebacks(decisionId: string, ticketId: string, triage: TicketTriage, plan: TicketResponsePlan): WritebackCommand[] {
  const id = (kind: string) => deterministicId('writeback', decisionId, 'tickets', ticketId, kind);
  const properties: Record<string, string> = {
    [TICKET_PROPERTIES.category]: triage.category,
    [TICKET_PROPERTIES.sentiment]: triage.sentiment,
    [TICKET_PROPERTIES.summary]: triage.summary,
    [TICKET_PROPERTIES.priority]: triage.priority,
  };
  if (plan.assignee.ownerId) properties[TICKET_PROPERTIES.owner] = plan.assignee.ownerId;
  if (plan.assignee.teamId) properties[TICKET_PROPERTIES.team] = plan.assignee.teamId;
  const base = { decisionId, objectType: 'tickets' as const, objectId: ticketId };
  const commands: WritebackCommand[] = [{ ...base, commandId: id('update-properties'), kind: 'update-properties', properties }];
  if (triage.replyDraft) {
    commands.push({ ...base, commandId: id('create-note'), kind: 'create-note', body: `<p><strong>AI draft — reply to the customer (review before sending)</strong></p><pre>${escapeHtml(triage.replyDraft)}</pre>`, timestamp: plan.decidedAt });
  }
  commands.push({
    ...base,
    commandId: id('create-task'),
    kind: 'create-task',
    subject: `Respond to ticket within ${plan.slaHours} h (${triage.priority.toLowerCase()}, ${triage.category.replace(/_/g, ' ')}, ${triage.sentiment})`,
    body: triage.summary,
    dueAt: plan.dueAt,
    priority: TASK_PRIORITY[triage.priority],
    taskType: 'EMAIL',
    ...(plan.assignee.ownerId ? { ownerId: plan.assignee.ownerId } : {}),
  });
  return commands;
}
