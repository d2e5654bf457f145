import { triageTicket } from './ticket-offline-rules';

describe('Service AI offline rules', () => {
  it('triages a ticket from the words of the ticket and its email thread', () => {
    expect(triageTicket({ subject: 'Charged twice', content: 'My invoice shows two charges. This is the third time!' })).toMatchObject({ category: 'billing_issue', sentiment: 'frustrated', priority: 'MEDIUM' });
    expect(triageTicket({ subject: 'Cannot log in', content: 'Unacceptable, I am locked out' })).toMatchObject({ category: 'account_access', sentiment: 'angry', priority: 'HIGH' });
    expect(triageTicket({ subject: 'Hello', 'emails.1.hs_email_text': 'Production is down for everyone after the update' })).toMatchObject({ category: 'technical_issue', priority: 'URGENT' });
    expect(triageTicket({ subject: 'Dark mode', content: 'Would be great to have dark mode, thanks' })).toMatchObject({ category: 'feature_request', sentiment: 'positive', priority: 'LOW' });
    expect(triageTicket({})).toMatchObject({ category: 'other', sentiment: 'neutral', priority: 'LOW' });
  });
});
