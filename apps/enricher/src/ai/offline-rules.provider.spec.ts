import { offlineRulesByPrompt } from '../capabilities/capability-registry';
import { LEAD_SCORING_PROMPT } from '../capabilities/lead-ai/lead-scoring.prompt';
import { TICKET_TRIAGE_V1 } from '../capabilities/service-ai/ticket-triage.prompt';
import { renderPrompt } from '../prompts/prompt';
import { OFFLINE_LABEL, OFFLINE_MODEL, OfflineRulesProvider } from './offline-rules.provider';

const provider = () => new OfflineRulesProvider(offlineRulesByPrompt());

describe('offline rules-based provider', () => {
  it('labels every decision as not made by an AI model', async () => {
    const facts = { company: 'Acme', jobtitle: 'Engineer' };
    const answer = await provider().answer(renderPrompt(LEAD_SCORING_PROMPT, { objectType: 'contacts', objectId: '1', facts }), facts);
    expect(answer).toMatchObject({ provider: 'offline-rules', model: OFFLINE_MODEL, label: OFFLINE_LABEL, usage: { inputTokens: 0, outputTokens: 0 } });
    expect(answer.output).toMatchObject({ score: 20, persona: 'practitioner', summary: expect.stringMatching(/^\[Offline rules-based score, not AI\]/) });
  });

  it('answers the ticket-triage prompt with a labelled triage and a template reply using the placeholder name', async () => {
    const facts = { subject: 'Refund please', content: 'I was overcharged', 'contacts.1.firstname': '{{FIRSTNAME_1}}' };
    const answer = await provider().answer(renderPrompt(TICKET_TRIAGE_V1, { objectType: 'tickets', objectId: '9', facts }), facts);
    expect(answer).toMatchObject({ provider: 'offline-rules', label: OFFLINE_LABEL });
    expect(answer.output).toMatchObject({
      category: 'billing_issue',
      priority: 'MEDIUM',
      summary: expect.stringMatching(/^\[Offline rules-based triage, not AI\]/),
      replyDraft: expect.stringMatching(/^Hi \{\{FIRSTNAME_1\}\},/),
    });
  });

  it('refuses a prompt no capability has rules for, as a configuration error', async () => {
    await expect(provider().answer({ ...renderPrompt(LEAD_SCORING_PROMPT, { objectType: 'contacts', objectId: '1', facts: {} }), promptId: 'deal-review' }, {})).rejects.toMatchObject({ category: 'request-rejected' });
  });
});
