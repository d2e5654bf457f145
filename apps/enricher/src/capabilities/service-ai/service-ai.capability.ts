import { SERVICE_AI_REQUIREMENTS, SERVICE_ROUTING_SETTINGS } from '@app/common';
import type { Capability } from '../capability';
import { chooseTicketAssignee, responseDueAt } from './service-routing';
import { planTicketBackfillWritebacks, planTicketRetriageWritebacks, planTicketWritebacks } from './service-writebacks';
import { ticketOfflineAnswer } from './ticket-offline-rules';
import { TICKET_TRIAGE, type TicketTriage } from './ticket-triage.answer';
import { TICKET_TRIAGE_V1, TICKET_TRIAGE_V2 } from './ticket-triage.prompt';

/** Ticket properties whose change means the customer said something new: only these re-triage a ticket. */
export const RETRIAGE_PROPERTIES = ['subject', 'content'] as const;

/** An existing ticket a backfill listed. */
const BACKFILL = 'BackfillRecordListed';

/**
 * Service AI (pattern 2): a ticket is categorised, prioritised (hs_ticket_priority),
 * read for sentiment and summarised; the reply draft becomes a note on it, the
 * portal's rules route it to an owner or team, and an SLA task says when to respond;
 * the note and the task also go on the requester (the ticket's contact). A re-triage after the customer changed the ticket's text refreshes only the AI's
 * own properties and drafts a new reply: priority, owner, team and the SLA task may
 * have been set by an agent since, and the AI does not overrule them. A backfilled
 * (existing) ticket gets its AI properties only (docs/decisions/0021).
 */
export const SERVICE_AI: Capability<TicketTriage> = {
  name: 'service-ai',
  objectType: 'tickets',
  requirements: SERVICE_AI_REQUIREMENTS,
  triggers: {
    webhooks: ['ticket.creation'],
    // An agent's own edits (priority, owner, stage) do not re-triage: the AI must not overrule them.
    change: (changed) =>
      changed.some((p) => (RETRIAGE_PROPERTIES as readonly string[]).includes(p))
        ? undefined
        : `only a change to ${RETRIAGE_PROPERTIES.join(' or ')} re-triages a ticket (changed: ${changed.join(', ')})`,
    workflows: true,
  },
  promptId: TICKET_TRIAGE_V1.id,
  prompts: [TICKET_TRIAGE_V1, TICKET_TRIAGE_V2],
  answer: TICKET_TRIAGE,
  offlineRules: ticketOfflineAnswer,
  settings: SERVICE_ROUTING_SETTINGS,
  // A re-triage drafts a new reply too: it goes on the requester as well. A backfill writes no note.
  associates: (triggerType) => (triggerType === BACKFILL ? [] : ['requester']),
  restore: (triage, restore) =>
    ({
      ...triage,
      summary: restore(triage.summary),
      ...(triage.replyDraft ? { replyDraft: restore(triage.replyDraft) } : {}),
    }),
  planWritebacks: ({ decisionId, triggerType, objectId, answer, portal, decidedAt, associated }) => {
    if (triggerType === BACKFILL) return planTicketBackfillWritebacks(decisionId, objectId, answer);
    const records = { requesterId: associated.requester };
    if (triggerType === 'ObjectChanged') return planTicketRetriageWritebacks(decisionId, objectId, answer, decidedAt.toISOString(), records);
    const routing = portal.settings.serviceRouting;
    const due = responseDueAt(decidedAt, answer.priority, routing);
    return planTicketWritebacks(
      decisionId,
      objectId,
      answer,
      { assignee: chooseTicketAssignee(answer, routing), dueAt: due.dueAt, slaHours: due.hours, decidedAt: decidedAt.toISOString() },
      records,
    );
  },
};
