import { planLeadWritebacks } from './lead-writebacks';

describe('planLeadWritebacks', () => {
  const assessment = { score: 87, persona: 'decision_maker' as const, summary: 'Ready to buy.' };

  it('updates ai_lead_score, ai_persona and ai_summary on the contact', () => {
    const [command, ...rest] = planLeadWritebacks('decision-1', '123', assessment);
    expect(rest).toEqual([]);
    expect(command).toMatchObject({
      kind: 'update-properties',
      objectType: 'contacts',
      objectId: '123',
      decisionId: 'decision-1',
      properties: { ai_lead_score: '87', ai_persona: 'decision_maker', ai_summary: 'Ready to buy.' },
    });
  });

  it('gives the same decision the same command id, so a replayed command is recognised', () => {
    expect(planLeadWritebacks('decision-1', '123', assessment)[0]!.commandId).toBe(planLeadWritebacks('decision-1', '123', assessment)[0]!.commandId);
    expect(planLeadWritebacks('decision-2', '123', assessment)[0]!.commandId).not.toBe(planLeadWritebacks('decision-1', '123', assessment)[0]!.commandId);
  });
});
