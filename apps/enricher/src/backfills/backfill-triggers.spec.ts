import { causedBy, Outcome, type AppendRequest, type BackfillRepository, type BackfillStatus, type EventStore, type Portal, type PlatformEvent } from '@app/common';
import type { DecisionFlow } from '../decisions/decision-flow';
import type { LeadAssessment } from '../capabilities/lead-ai/lead-assessment.answer';
import { LEAD_AI } from '../capabilities/lead-ai/lead-ai.capability';
import { SERVICE_AI } from '../capabilities/service-ai/service-ai.capability';
import type { TicketTriage } from '../capabilities/service-ai/ticket-triage.answer';
import { BackfillTriggers } from './backfill-triggers';

const now = new Date('2026-12-08T10:00:00Z');
const BACKFILL = '6f1c1c3e-7a43-4b6e-9b1e-1d4a0c2e9a11';

function listed(capability: string, objectType: 'contacts' | 'tickets', objectId = '42'): PlatformEvent<'BackfillRecordListed'> {
  return causedBy({ id: BACKFILL, correlationId: BACKFILL }, { type: 'BackfillRecordListed', portalId: 9, data: { backfillId: BACKFILL, capability, objectType, objectId } }, now);
}

describe('BackfillTriggers', () => {
  let status: BackfillStatus | undefined;
  const flow = { run: jest.fn(async () => Outcome.done()) };
  const append = jest.fn(async (_: AppendRequest) => ({ kind: 'appended' }));
  const triggers = new BackfillTriggers(flow as unknown as DecisionFlow, { status: async () => status } as unknown as BackfillRepository, { append } as unknown as EventStore, () => now);
  beforeEach(() => {
    jest.clearAllMocks();
    status = 'running';
  });
  const skipped = () => append.mock.calls.map(([request]) => request.events[0]);

  it.each([
    ['a contact', 'lead-ai', 'contacts' as const, LEAD_AI],
    ['a ticket', 'service-ai', 'tickets' as const, SERVICE_AI],
  ])('sends %s to its capability’s decision path, as a BackfillRecordListed trigger, in the backfill’s story', async (_, capability, objectType, expected) => {
    const trigger = listed(capability, objectType);
    expect(await triggers.route(trigger)).toEqual(Outcome.done());
    expect(flow.run).toHaveBeenCalledWith(expected, { trigger, triggerType: 'BackfillRecordListed', objectId: '42' });
    expect(trigger.correlationId).toBe(BACKFILL);
    expect(append).not.toHaveBeenCalled();
  });

  it('skips a record of a cancelled backfill with the reason, on the record’s stream, and never decides it', async () => {
    status = 'cancelled';
    const trigger = listed('lead-ai', 'contacts');
    expect(await triggers.route(trigger)).toEqual(Outcome.drop(`backfill ${BACKFILL} was cancelled`));
    expect(flow.run).not.toHaveBeenCalled();
    expect(append.mock.calls[0]![0].streamId).toBe('crm-9-contacts-42');
    expect(skipped()[0]).toMatchObject({ type: 'TriggerSkipped', correlationId: BACKFILL, causationId: trigger.id, data: { trigger: { eventId: trigger.id, type: 'BackfillRecordListed' } } });
  });

  it('goes on deciding the records a paused backfill had queued (a pause stops the listing only)', async () => {
    status = 'paused';
    expect(await triggers.route(listed('lead-ai', 'contacts'))).toEqual(Outcome.done());
    expect(flow.run).toHaveBeenCalled();
  });

  it('records a record the flow drops (its portal paused) as skipped, so the backfill’s progress adds up', async () => {
    flow.run.mockResolvedValueOnce(Outcome.drop('portal 9 is paused'));
    const trigger = listed('lead-ai', 'contacts');
    expect(await triggers.route(trigger)).toEqual(Outcome.drop('portal 9 is paused'));
    expect(skipped()[0]).toMatchObject({ type: 'TriggerSkipped', data: { reason: 'portal 9 is paused' } });
  });

  it('skips a record whose capability does not decide its type', async () => {
    expect((await triggers.route(listed('lead-ai', 'tickets'))).kind).toBe('drop');
    expect(flow.run).not.toHaveBeenCalled();
  });
});

describe('a backfilled record is an existing one: only its ai_ properties are written', () => {
  const portal = { portalId: 9, settings: { leadRouting: { defaultOwnerId: '7' }, serviceRouting: { defaultOwnerId: '7' } } } as unknown as Portal;
  const common = { decisionId: 'd-1', triggerType: 'BackfillRecordListed', objectId: '42', portal, decidedAt: now, associated: {}, facts: {} };

  it('Lead AI: the scores, no first-touch draft and no follow-up task, and no company or deal looked up', () => {
    const answer: LeadAssessment = { score: 80, persona: 'decision_maker', summary: 'Buying.', emailDraft: 'Hi there', recommendedAction: 'Call' };
    const commands = LEAD_AI.planWritebacks({ ...common, answer });
    expect(commands).toEqual([expect.objectContaining({ kind: 'update-properties', properties: expect.objectContaining({ ai_lead_score: '80', ai_persona: 'decision_maker' }) })]);
    expect(LEAD_AI.associates('BackfillRecordListed')).toEqual([]);
    expect(LEAD_AI.associates('contact.creation')).toEqual(['primaryCompany', 'openDeal']);
  });

  it('Service AI: category, sentiment and summary; no priority, owner, reply draft or SLA task', () => {
    const answer: TicketTriage = { category: 'billing_issue', priority: 'HIGH', sentiment: 'neutral', summary: 'Billed twice.', replyDraft: 'Hello' };
    const commands = SERVICE_AI.planWritebacks({ ...common, answer });
    expect(commands).toEqual([{ commandId: expect.any(String), decisionId: 'd-1', objectType: 'tickets', objectId: '42', kind: 'update-properties', properties: { ai_category: 'billing_issue', ai_sentiment: 'neutral', ai_summary: 'Billed twice.' } }]);
    expect(SERVICE_AI.associates('BackfillRecordListed')).toEqual([]);
    expect(SERVICE_AI.associates('ticket.creation')).toEqual(['requester']);
  });
});
