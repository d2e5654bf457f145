import type { LeadRoutingSettings } from '@app/common';
import { chooseLeadOwner, followUpDueAt } from './lead-routing';
import { planLeadWritebacks } from './lead-writebacks';

const followUp = { dueAt: '2026-11-29T10:00:00.000Z', decidedAt: '2026-11-28T10:00:00.000Z', ownerId: '77' };

describe('planLeadWritebacks', () => {
  const assessment = { score: 87, persona: 'decision_maker' as const, summary: 'Ready to buy.', painPoints: ['weekend leads lost', 'no CRM'], recommendedAction: 'Call today', emailDraft: 'Hi Jane, <thanks> for your note.' };

  it('writes every Lead AI property, the email draft as a note and a follow-up task for the owner', () => {
    const [update, note, task, ...rest] = planLeadWritebacks('decision-1', '123', assessment, followUp);
    expect(rest).toEqual([]);
    expect(update).toMatchObject({
      kind: 'update-properties',
      objectType: 'contacts',
      objectId: '123',
      decisionId: 'decision-1',
      properties: { ai_lead_score: '87', ai_persona: 'decision_maker', ai_summary: 'Ready to buy.', ai_pain_points: 'weekend leads lost; no CRM', ai_recommended_action: 'Call today' },
    });
    expect(note).toMatchObject({ kind: 'create-note', objectType: 'contacts', objectId: '123', timestamp: followUp.decidedAt });
    expect(note!.kind === 'create-note' && note!.body).toContain('Hi Jane, &lt;thanks&gt; for your note.');
    expect(task).toMatchObject({ kind: 'create-task', objectId: '123', dueAt: followUp.dueAt, ownerId: '77', priority: 'HIGH', taskType: 'EMAIL', subject: 'Follow up new lead (AI score 87)' });
  });

  it('writes no note without a draft, and a low-priority unassigned task for a weak lead', () => {
    const commands = planLeadWritebacks('d', '1', { score: 12, persona: 'researcher', summary: 's' }, { dueAt: followUp.dueAt, decidedAt: followUp.decidedAt });
    expect(commands.map((c) => c.kind)).toEqual(['update-properties', 'create-task']);
    expect(commands[1]).toMatchObject({ priority: 'LOW' });
    expect(commands[1]).not.toHaveProperty('ownerId');
  });

  it('puts the draft note and the follow-up task on the contact’s primary company and open deal too, never the properties', () => {
    const [update, note, task] = planLeadWritebacks('decision-1', '123', assessment, followUp, { companyId: '201', openDealId: '302' });
    const onAll = [{ objectType: 'companies', objectId: '201' }, { objectType: 'deals', objectId: '302' }];
    expect(note).toMatchObject({ kind: 'create-note', objectType: 'contacts', objectId: '123', alsoAssociate: onAll });
    expect(task).toMatchObject({ kind: 'create-task', objectType: 'contacts', objectId: '123', alsoAssociate: onAll });
    expect(update).not.toHaveProperty('alsoAssociate');
    // Where the note also goes does not change what it is: the same command ids.
    expect([update, note, task].map((c) => c!.commandId)).toEqual(planLeadWritebacks('decision-1', '123', assessment, followUp).map((c) => c.commandId));
  });

  it('associates only what the contact has: a company without a deal, and nothing more for a contact with neither', () => {
    const [, note, task] = planLeadWritebacks('d', '123', assessment, followUp, { companyId: '201' });
    expect(note).toMatchObject({ alsoAssociate: [{ objectType: 'companies', objectId: '201' }] });
    expect(task).toMatchObject({ alsoAssociate: [{ objectType: 'companies', objectId: '201' }] });
    for (const command of planLeadWritebacks('d', '123', assessment, followUp, {})) expect(command).not.toHaveProperty('alsoAssociate');
  });

  it('gives the same decision the same command ids, so a replayed command is recognised', () => {
    const ids = (decision: string) => planLeadWritebacks(decision, '123', assessment, followUp).map((c) => c.commandId);
    expect(ids('decision-1')).toEqual(ids('decision-1'));
    expect(new Set(ids('decision-1')).size).toBe(3);
    expect(ids('decision-2')[0]).not.toBe(ids('decision-1')[0]);
  });
});

describe('lead routing', () => {
  const routing: LeadRoutingSettings = { defaultOwnerId: '1', rules: [{ minScore: 80, persona: 'decision_maker', ownerId: '2' }, { minScore: 50, ownerId: '3' }], followUpHours: 4 };

  it('takes the first matching rule, else the default owner', () => {
    expect(chooseLeadOwner({ score: 90, persona: 'decision_maker' }, routing)).toBe('2');
    expect(chooseLeadOwner({ score: 90, persona: 'influencer' }, routing)).toBe('3');
    expect(chooseLeadOwner({ score: 10, persona: 'influencer' }, routing)).toBe('1');
    expect(chooseLeadOwner({ score: 10, persona: 'influencer' })).toBeUndefined();
  });

  it('sets the due date by the portal’s SLA, 24 hours by default', () => {
    const at = new Date('2026-11-28T10:00:00.000Z');
    expect(followUpDueAt(at, routing)).toBe('2026-11-28T14:00:00.000Z');
    expect(followUpDueAt(at)).toBe('2026-11-29T10:00:00.000Z');
  });
});
