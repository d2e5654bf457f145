import { LEAD_SCORING_PROMPT } from '../prompts/lead-scoring.prompt';
import { renderPrompt } from '../prompts/prompt';
import { OFFLINE_LABEL, OFFLINE_MODEL, OfflineRulesProvider, scoreLead } from './offline-rules.provider';

describe('offline rules-based provider', () => {
  it('scores from documented rules and explains each point', () => {
    expect(scoreLead({ company: 'Acme', email: 'jane@acme.io', jobtitle: 'VP Sales', message: 'We need pricing for 40 seats' })).toEqual({
      score: 80,
      persona: 'decision_maker',
      reasons: ['+20 works at a named company', '+15 uses a business email domain', '+25 senior role', '+20 message shows buying intent'],
    });
    expect(scoreLead({ email: 'kid@gmail.com', jobtitle: 'Student' })).toEqual({ score: 0, persona: 'researcher', reasons: [] });
    // What it gets in the platform: the address pseudonymised, the domain as its own fact.
    expect(scoreLead({ email: '{{EMAIL_1}}', email_domain: 'gmail.com', jobtitle: 'Student' }).reasons).toEqual([]);
    expect(scoreLead({ email: '{{EMAIL_1}}', email_domain: 'acme.io' }).reasons).toEqual(['+15 uses a business email domain']);
  });

  it('labels every decision as not made by an AI model', async () => {
    const facts = { company: 'Acme', jobtitle: 'Engineer' };
    const answer = await new OfflineRulesProvider().answer(renderPrompt(LEAD_SCORING_PROMPT, { contactId: '1', properties: facts }), facts);
    expect(answer).toMatchObject({ provider: 'offline-rules', model: OFFLINE_MODEL, label: OFFLINE_LABEL, usage: { inputTokens: 0, outputTokens: 0 } });
    expect(answer.output).toMatchObject({ score: 20, persona: 'practitioner', summary: expect.stringMatching(/^\[Offline rules-based score, not AI\]/) });
  });
});
