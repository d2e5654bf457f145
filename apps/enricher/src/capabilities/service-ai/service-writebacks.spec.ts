import { planTicketRetriageWritebacks, planTicketWritebacks } from './service-writebacks';
import type { TicketTriage } from './ticket-triage.answer';

const triage: TicketTriage = {
  category: 'billing_issue',
  priority: 'URGENT',
  sentiment: 'angry',
  summary: 'Charged twice.',
  replyDraft: 'Hi <Jane>, we are on it.',
};

describe('Service AI writebacks', () => {
  it('a first triage writes the AI properties, priority and routing, a draft note and an SLA task, all on the ticket', () => {
    const commands = planTicketWritebacks('d-1', '900', triage, { assignee: { ownerId: '31', teamId: '3' }, dueAt: '2026-11-28T11:00:00.000Z', slaHours: 1, decidedAt: '2026-11-28T10:00:00.000Z' });
    expect(commands.map((c) => [c.kind, c.objectType, c.objectId])).toEqual([
      ['update-properties', 'tickets', '900'],
      ['create-note', 'tickets', '900'],
      ['create-task', 'tickets', '900'],
    ]);
    expect(commands[0]).toMatchObject({ properties: { ai_category: 'billing_issue', ai_sentiment: 'angry', ai_summary: 'Charged twice.', hs_ticket_priority: 'URGENT', hubspot_owner_id: '31', hubspot_team_id: '3' } });
    // Model text is shown as text in the note's HTML.
    expect(commands[1]).toMatchObject({ body: expect.stringContaining('Hi &lt;Jane&gt;, we are on it.') });
    expect(commands[2]).toMatchObject({ ownerId: '31', priority: 'HIGH', dueAt: '2026-11-28T11:00:00.000Z', subject: 'Respond to ticket within 1 h (urgent, billing issue, angry)' });
    // Replayed decisions produce the same command ids.
    expect(planTicketWritebacks('d-1', '900', triage, { assignee: {}, dueAt: 'x', slaHours: 1, decidedAt: 'y' }).map((c) => c.commandId)).toEqual(commands.map((c) => c.commandId));
  });

  it('puts the reply draft and the SLA task on the requester too; without one, on the ticket only', () => {
    const plan = { assignee: { ownerId: '31' }, dueAt: '2026-11-28T11:00:00.000Z', slaHours: 1, decidedAt: '2026-11-28T10:00:00.000Z' };
    const [update, note, task] = planTicketWritebacks('d-1', '900', triage, plan, { requesterId: '42' });
    const requester = [{ objectType: 'contacts', objectId: '42' }];
    expect(note).toMatchObject({ kind: 'create-note', objectType: 'tickets', objectId: '900', alsoAssociate: requester });
    expect(task).toMatchObject({ kind: 'create-task', objectType: 'tickets', objectId: '900', alsoAssociate: requester });
    expect(update).not.toHaveProperty('alsoAssociate');
    for (const command of planTicketWritebacks('d-1', '900', triage, plan)) expect(command).not.toHaveProperty('alsoAssociate');

    const [retriaged, redraft] = planTicketRetriageWritebacks('d-2', '900', triage, '2026-11-28T12:00:00.000Z', { requesterId: '42' });
    expect(redraft).toMatchObject({ kind: 'create-note', alsoAssociate: requester });
    expect(retriaged).not.toHaveProperty('alsoAssociate');
  });

  it('a re-triage refreshes only the AI’s own properties and drafts a new reply: no priority, owner, team or new task', () => {
    const commands = planTicketRetriageWritebacks('d-2', '900', triage, '2026-11-28T12:00:00.000Z');
    expect(commands.map((c) => c.kind)).toEqual(['update-properties', 'create-note']);
    expect(commands[0]).toMatchObject({ properties: { ai_category: 'billing_issue', ai_sentiment: 'angry', ai_summary: 'Charged twice.' } });
    expect(Object.keys((commands[0] as { properties: object }).properties)).toEqual(['ai_category', 'ai_sentiment', 'ai_summary']);
    expect(planTicketRetriageWritebacks('d-3', '900', { ...triage, replyDraft: undefined }, 'z').map((c) => c.kind)).toEqual(['update-properties']);
  });
});
