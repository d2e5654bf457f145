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

  it('judges related records’ fields by their own name, and scrubs their names out of the free text of other records', () => {
    const { facts, restore } = pseudonymise(
      {
        subject: 'Refund',
        'contacts.1.firstname': 'Priya',
        'contacts.1.email': 'priya@shop.example',
        'contacts.1.phone': '+1 415 555 0100',
        'emails.1.hs_email_text': 'Priya again, please call 415-555-0100',
      },
      { forbiddenFields: ['hs_email_subject'] },
    );
    expect(facts).toEqual({
      subject: 'Refund',
      'contacts.1.firstname': '{{FIRSTNAME_1}}',
      'contacts.1.email': '{{EMAIL_1}}',
      'contacts.1.email_domain': 'shop.example',
      'contacts.1.phone': '{{PHONE_1}}',
      'emails.1.hs_email_text': '{{FIRSTNAME_1}} again, please call {{PHONE_2}}',
    });
    expect(restore('Dear {{FIRSTNAME_1}}')).toBe('Dear Priya');
    expect(pseudonymise({ 'emails.1.hs_email_subject': 'x' }, { forbiddenFields: ['hs_email_subject'] }).facts).toEqual({});
  });

  it('finds names in free text whatever their script, without touching longer words that contain them', () => {
    const { facts } = pseudonymise({ firstname: 'José', lastname: 'Ørjansen', content: 'José here. Ørjansen family account; Joséphine is my colleague. ZOË wrote too.', 'contacts.2.firstname': 'Zoë' });
    // Numbered in field-name order: contacts.2.firstname (Zoë) comes before firstname (José).
    // Joséphine is not José: she is someone else, found by her own name.
    expect(facts.content).toBe('{{FIRSTNAME_2}} here. {{LASTNAME_1}} family account; {{NAME_1}} is my colleague. {{FIRSTNAME_1}} wrote too.');
  });

  it('prefers the longer of two names that share a beginning, whatever the case in the text', () => {
    const { facts, restore } = pseudonymise({ firstname: 'Ann', 'contacts.2.firstname': 'Anna', 'contacts.2.lastname': 'Van Dyke', message: 'ANNA VAN DYKE and ann met; Annabel did not.' });
    expect(facts.message).toBe('{{FIRSTNAME_1}} {{LASTNAME_1}} and {{FIRSTNAME_2}} met; {{NAME_1}} did not.');
    expect(restore(facts.message!)).toBe('Anna Van Dyke and Ann met; Annabel did not.');
  });

  it('keeps positions right past letters whose lower case is longer, and knows word edges beyond the ASCII letters', () => {
    // 'İ'.toLowerCase() is two characters: the names after it must still be found where they are.
    const { facts, restore } = pseudonymise({ firstname: 'İlker', lastname: 'Ann', message: 'İSTANBUL: İLKER and ANN called. Ann𝐀 and 𝐀Ann are other words; so is Ann\u0301.' });
    // Ann\u0301 is not the contact's Ann (the known-name match stops at a combining mark), but spelt without its
    // accent it is a first name on the list, so it is replaced as someone else's name.
    expect(facts.message).toBe('İSTANBUL: {{FIRSTNAME_1}} and {{LASTNAME_1}} called. Ann𝐀 and 𝐀Ann are other words; so is {{NAME_1}}.');
    expect(restore(facts.message!)).toBe('İSTANBUL: İlker and Ann called. Ann𝐀 and 𝐀Ann are other words; so is Ann\u0301.');
  });

  it('finds a Greek name in capitals whether or not the text also holds a letter that lower-cases longer', () => {
    expect(pseudonymise({ firstname: 'Νίκος', message: 'ΝΊΚΟΣ called twice' }).facts.message).toBe('{{FIRSTNAME_1}} called twice');
    expect(pseudonymise({ firstname: 'Νίκος', message: 'İzmir office: ΝΊΚΟΣ called twice' }).facts.message).toBe('İzmir office: {{FIRSTNAME_1}} called twice');
  });

  it('puts every kind of personal data back into what is written to HubSpot', () => {
    const { facts, restore } = pseudonymise({ firstname: 'Jane', message: 'Ship to 25 First Street, CA 94107. IBAN DE89 3704 0044 0532 0130 00. Ask my colleague Priya Raman.' });
    expect(facts.message).toBe('Ship to {{ADDRESS_1}}, CA {{POSTCODE_1}}. IBAN {{IBAN_1}}. Ask my colleague {{NAME_1}}.');
    expect(restore('Hi {{FIRSTNAME_1}}, we will ship to {{ADDRESS_1}} ({{POSTCODE_1}}) and copy {{NAME_1}}.')).toBe('Hi Jane, we will ship to 25 First Street (94107) and copy Priya Raman.');
  });

  it('sends an email field it cannot read as an address whole, and no text that would restore to another value', () => {
    const { facts, restore } = pseudonymise({ email: 'Jane Doe <jane@localhost>', 'contacts.2.email': 'boss@secret.io', message: 'Please greet {{EMAIL_1}}' });
    expect(facts.email).toMatch(/^\{\{EMAIL_\d\}\}$/);
    expect(JSON.stringify(facts)).not.toContain('jane@localhost');
    expect(restore(facts.message!)).not.toContain('boss@secret.io');
  });

  it('cuts a long field before a value that crosses the limit, never inside it', () => {
    const text = `${'x'.repeat(5_990)} ref DE89 3704 0044 0532 0130 00 and more ${'y '.repeat(200)}`;
    const { facts } = pseudonymise({ message: text });
    expect(facts.message).not.toMatch(/DE89|3704/);
    expect(facts.message).toMatch(/\[…cut: \d+ more characters\]$/);
  });

  it('skips values that are not text', () => {
    expect(pseudonymise({ message: null, firstname: undefined, numemployees: 25 } as unknown as Record<string, string>).facts).toEqual({});
  });
});
