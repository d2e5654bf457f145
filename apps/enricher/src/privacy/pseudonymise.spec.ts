import { pseudonymise } from './pseudonymise';

const contact = {
  firstname: 'Jane',
  lastname: 'Doe',
  email: 'jane.doe@acme.io',
  phone: '+1 (617) 555-0134',
  address: '25 First Street',
  jobtitle: 'VP Operations',
  company: 'Acme',
  message: 'Hi, Jane Doe here (jane.doe@acme.io, cell 617-555-0199). We need 40 seats by 2027.',
};

describe('pseudonymise', () => {
  it('sends no email address, phone number, street address or person name to the model', () => {
    const { facts } = pseudonymise(contact);
    const sent = JSON.stringify(facts);
    for (const secret of ['Jane', 'Doe', 'jane.doe@acme.io', '555-0134', '555-0199', '25 First Street']) expect(sent).not.toContain(secret);
    expect(sent).not.toMatch(/@/);
    expect(facts).toMatchObject({ jobtitle: 'VP Operations', company: 'Acme', email_domain: 'acme.io', firstname: '{{FIRSTNAME_1}}', lastname: '{{LASTNAME_1}}', email: '{{EMAIL_1}}' });
    // Years and quantities are not phone numbers.
    expect(facts.message).toBe('Hi, {{FIRSTNAME_1}} {{LASTNAME_1}} here ({{EMAIL_1}}, cell {{PHONE_2}}). We need 40 seats by 2027.');
  });

  it('restores the real values in model output where a writeback needs them', () => {
    const { restore } = pseudonymise(contact);
    expect(restore('Dear {{FIRSTNAME_1}}, thanks for reaching out from {{EMAIL_1}}. {{UNKNOWN_9}}')).toBe('Dear Jane, thanks for reaching out from jane.doe@acme.io. {{UNKNOWN_9}}');
  });

  it('is deterministic (same context, same placeholders) and honours fields a portal forbids', () => {
    expect(pseudonymise(contact).facts).toEqual(pseudonymise({ ...contact }).facts);
    const { facts } = pseudonymise(contact, { forbiddenFields: ['message', 'company'] });
    expect(facts).not.toHaveProperty('message');
    expect(facts).not.toHaveProperty('company');
  });
});
