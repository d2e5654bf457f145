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
  const draft = replyDraftNote(decisionId, ticketId, triage, plan.decidedAt);
  if (draft) commands.push(draft);
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

/**
 * A re-triage (the customer changed the ticket's text): the AI's own properties and
 * a new reply draft only. Priority, owner, team and the SLA task stay as they are:
 * an agent may have changed them since the first triage.
 */
export function planTicketRetriageWritebacks(decisionId: string, ticketId: string, triage: TicketTriage, decidedAt: string): WritebackCommand[] {
  const properties = {
    [TICKET_PROPERTIES.category]: triage.category,
    [TICKET_PROPERTIES.sentiment]: triage.sentiment,
    [TICKET_PROPERTIES.summary]: triage.summary,
  };
  const update: WritebackCommand = {
    decisionId,
    objectType: 'tickets',
    objectId: ticketId,
    commandId: deterministicId('writeback', decisionId, 'tickets', ticketId, 'update-properties'),
    kind: 'update-properties',
    properties,
  };
  const draft = replyDraftNote(decisionId, ticketId, triage, decidedAt);
  return draft ? [update, draft] : [update];
}

function replyDraftNote(decisionId: string, ticketId: string, triage: TicketTriage, decidedAt: string): WritebackCommand | undefined {
  if (!triage.replyDraft) return undefined;
  return {
    decisionId,
    objectType: 'tickets',
    objectId: ticketId,
    commandId: deterministicId('writeback', decisionId, 'tickets', ticketId, 'create-note'),
    kind: 'create-note',
    body: `<p><strong>AI draft — reply to the customer (review before sending)</strong></p><pre>${escapeHtml(triage.replyDraft)}</pre>`,
    timestamp: decidedAt,
  };
}
