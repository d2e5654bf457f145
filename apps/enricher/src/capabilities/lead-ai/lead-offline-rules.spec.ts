import { scoreLead } from './lead-offline-rules';

describe('Lead AI offline rules', () => {
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
});
