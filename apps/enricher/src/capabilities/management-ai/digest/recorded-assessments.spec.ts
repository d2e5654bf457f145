import { readAssessment } from './recorded-assessments';

describe('readAssessment', () => {
  const output = { healthScore: 35, stallReason: 'no_next_step', attention: true, nextStep: 'Call {{FIRSTNAME_1}}', summary: 'Quiet.' };

  it('prefers the writeback: the real text, its score and flag', () => {
    const writeback = { kind: 'update-properties', properties: { ai_health_score: '35', ai_stall_reason: 'no_next_step', ai_attention_flag: 'true', ai_next_step: 'Call Jane', ai_summary: 'Quiet.' } };
    expect(readAssessment('d', 't', { output }, writeback)).toEqual({ kind: 'assessed', decisionId: 'd', assessedAt: 't', healthScore: 35, stallReason: 'no_next_step', attention: true, nextStep: 'Call Jane', summary: 'Quiet.', text: 'writeback' });
  });

  it('falls back to the decision, never showing its placeholders', () => {
    expect(readAssessment('d', 't', { output }, undefined)).toMatchObject({ healthScore: 35, nextStep: null, summary: null, text: 'placeholders' });
    expect(readAssessment('d', 't', { output: { ...output, nextStep: 'Call back' } }, undefined)).toMatchObject({ nextStep: 'Call back', summary: 'Quiet.', text: 'decision' });
  });

  it('an answer it cannot read, or an erased one, is no assessment (shown as pending)', () => {
    expect(readAssessment('d', 't', { output: { healthScore: 'high' } }, undefined)).toBeUndefined();
    expect(readAssessment('d', 't', { erased: { fields: ['output'], subjects: ['deals:1'], at: null, reason: 'admin-request' } }, undefined)).toBeUndefined();
  });
});
