import { capabilityProperty, type WritebackCommand } from '@app/common';
import { alsoAssociated, commandsFor, draftNote } from '../../writebacks/writeback-commands';
import type { TicketAssignee } from './service-routing';
import type { TicketTriage } from './ticket-triage.answer';

function ticketProperty(name: string): string {
  return capabilityProperty('service-ai', 'tickets', name).name;
}

/** The HubSpot ticket properties Service AI writes (its own declared in SERVICE_AI_REQUIREMENTS; priority, owner and team are HubSpot's). */
export const TICKET_PROPERTIES = {
  category: ticketProperty('ai_category'),
  sentiment: ticketProperty('ai_sentiment'),
  summary: ticketProperty('ai_summary'),
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

/** The records besides the ticket its reply draft and SLA task belong with, when it has them. */
export interface TicketRecords {
  /** The contact who raised it. */
  requesterId?: string;
}

const REPLY_DRAFT = 'reply to the customer';

const TASK_PRIORITY: Record<TicketTriage['priority'], 'LOW' | 'MEDIUM' | 'HIGH'> = { LOW: 'LOW', MEDIUM: 'MEDIUM', HIGH: 'HIGH', URGENT: 'HIGH' };

/**
 * Which writebacks a ticket triage implies: the AI properties, the priority and
 * the routed owner/team on the ticket, the reply draft as a note on it, and an
 * SLA task to respond; the note and the task also go on the requester, when there
 * is one. Pure; every command id derives from the decision.
 */
export function planTicketWritebacks(decisionId: string, ticketId: string, triage: TicketTriage, plan: TicketResponsePlan, records: TicketRecords = {}): WritebackCommand[] {
  const base = commandsFor(decisionId, 'tickets', ticketId);
  const also = requesterToo(records);
  const properties: Record<string, string> = { ...aiProperties(triage), [TICKET_PROPERTIES.priority]: triage.priority };
  if (plan.assignee.ownerId) properties[TICKET_PROPERTIES.owner] = plan.assignee.ownerId;
  if (plan.assignee.teamId) properties[TICKET_PROPERTIES.team] = plan.assignee.teamId;
  const commands: WritebackCommand[] = [{ ...base('update-properties'), kind: 'update-properties', properties }];
  if (triage.replyDraft) commands.push(draftNote(base, REPLY_DRAFT, triage.replyDraft, plan.decidedAt, also));
  commands.push({
    ...base('create-task'),
    kind: 'create-task',
    ...also,
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
 * a new reply draft only (on the requester too, when there is one). Priority, owner,
 * team and the SLA task stay as they are: an agent may have changed them since the
 * first triage.
 */
export function planTicketRetriageWritebacks(decisionId: string, ticketId: string, triage: TicketTriage, decidedAt: string, records: TicketRecords = {}): WritebackCommand[] {
  const base = commandsFor(decisionId, 'tickets', ticketId);
  const commands: WritebackCommand[] = [{ ...base('update-properties'), kind: 'update-properties', properties: aiProperties(triage) }];
  if (triage.replyDraft) commands.push(draftNote(base, REPLY_DRAFT, triage.replyDraft, decidedAt, requesterToo(records)));
  return commands;
}

/**
 * A backfilled ticket (an existing one, docs/decisions/0021): the AI's own properties
 * only. No reply draft and no SLA task for a conversation that may be long over, and
 * its priority, owner and team stay the agents'.
 */
export function planTicketBackfillWritebacks(decisionId: string, ticketId: string, triage: TicketTriage): WritebackCommand[] {
  return [{ ...commandsFor(decisionId, 'tickets', ticketId)('update-properties'), kind: 'update-properties', properties: aiProperties(triage) }];
}

function requesterToo(records: TicketRecords) {
  return alsoAssociated({ objectType: 'contacts', objectId: records.requesterId });
}

/** The properties in the platform's `ai_` namespace, which every triage may refresh. */
function aiProperties(triage: TicketTriage): Record<string, string> {
  return { [TICKET_PROPERTIES.category]: triage.category, [TICKET_PROPERTIES.sentiment]: triage.sentiment, [TICKET_PROPERTIES.summary]: triage.summary };
}
