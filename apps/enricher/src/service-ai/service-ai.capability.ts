import type { Capability } from '../decisions/decision-flow';
import { TICKET_TRIAGE_V1 } from '../prompts/ticket-triage.prompt';
import { chooseTicketAssignee, responseDueAt } from './service-routing';
import { planTicketBackfillWritebacks, planTicketRetriageWritebacks, planTicketWritebacks } from './service-writebacks';
import { TicketTriage } from './ticket-triage.dto';

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
  promptId: TICKET_TRIAGE_V1.id,
  answerType: TicketTriage,
  // A re-triage drafts a new reply too: it goes on the requester as well. A backfill writes no note.
  associates: (triggerType) => (triggerType === BACKFILL ? [] : ['requester']),
  restore: (triage, restore) =>
    Object.assign(new TicketTriage(), {
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
