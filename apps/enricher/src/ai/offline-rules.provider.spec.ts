import { LEAD_SCORING_PROMPT } from '../prompts/lead-scoring.prompt';
import { renderPrompt } from '../prompts/prompt';
import { TICKET_TRIAGE_V1 } from '../prompts/ticket-triage.prompt';
import { OFFLINE_LABEL, OFFLINE_MODEL, OfflineRulesProvider, scoreLead, triageTicket } from './offline-rules.provider';

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
    expect(scoreLead({ numemployees: '25-50' }).reasons).toEqual(['+10 company size given']);
  });

  it('labels every decision as not made by an AI model', async () => {
    const facts = { company: 'Acme', jobtitle: 'Engineer' };
    const answer = await new OfflineRulesProvider().answer(renderPrompt(LEAD_SCORING_PROMPT, { objectType: 'contacts', objectId: '1', facts }), facts);
    expect(answer).toMatchObject({ provider: 'offline-rules', model: OFFLINE_MODEL, label: OFFLINE_LABEL, usage: { inputTokens: 0, outputTokens: 0 } });
    expect(answer.output).toMatchObject({ score: 20, persona: 'practitioner', summary: expect.stringMatching(/^\[Offline rules-based score, not AI\]/) });
  });

  it('triages a ticket from the words of the ticket and its email thread', () => {
    expect(triageTicket({ subject: 'Charged twice', content: 'My invoice shows two charges. This is the third time!' })).toMatchObject({ category: 'billing_issue', sentiment: 'frustrated', priority: 'MEDIUM' });
    expect(triageTicket({ subject: 'Cannot log in', content: 'Unacceptable, I am locked out' })).toMatchObject({ category: 'account_access', sentiment: 'angry', priority: 'HIGH' });
    expect(triageTicket({ subject: 'Hello', 'emails.1.hs_email_text': 'Production is down for everyone after the update' })).toMatchObject({ category: 'technical_issue', priority: 'URGENT' });
    expect(triageTicket({ subject: 'Dark mode', content: 'Would be great to have dark mode, thanks' })).toMatchObject({ category: 'feature_request', sentiment: 'positive', priority: 'LOW' });
    expect(triageTicket({})).toMatchObject({ category: 'other', sentiment: 'neutral', priority: 'LOW' });
  });

  it('answers the ticket-triage prompt with a labelled triage and a template reply using the placeholder name', async () => {
    const facts = { subject: 'Refund please', content: 'I was overcharged', 'contacts.1.firstname': '{{FIRSTNAME_1}}' };
    const answer = await new OfflineRulesProvider().answer(renderPrompt(TICKET_TRIAGE_V1, { objectType: 'tickets', objectId: '9', facts }), facts);
    expect(answer).toMatchObject({ provider: 'offline-rules', label: OFFLINE_LABEL });
    expect(answer.output).toMatchObject({
      category: 'billing_issue',
      priority: 'MEDIUM',
      summary: expect.stringMatching(/^\[Offline rules-based triage, not AI\]/),
      replyDraft: expect.stringMatching(/^Hi \{\{FIRSTNAME_1\}\},/),
    });
  });
});
