import { Client } from '@hubspot/api-client';
import { BudgetRepository, HubSpotApi, HubSpotBudget, HubSpotClientFactory, type CrmObjectType } from '@app/common';
import { HubSpotSandbox } from '../../../../sandbox/hubspot';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { CrmReader } from '../crm/crm-reader';
import { LEAD_AI } from '../capabilities/lead-ai/lead-ai.capability';
import { LEAD_SCORING_PROMPT, LEAD_SCORING_V3 } from '../capabilities/lead-ai/lead-scoring.prompt';
import { TICKET_TRIAGE_V1 } from '../capabilities/service-ai/ticket-triage.prompt';
import { SERVICE_AI } from '../capabilities/service-ai/service-ai.capability';
import { ContextAssembler } from './context-assembler';
import type { AssociationRole, ContextSpec, CrmContext } from './crm-context';

const PORTAL = 5151;
const credentials = { portalId: PORTAL, accessToken: `pat-${PORTAL}` };
/** HubSpot-defined association type ids (docs: associations v4). */
const TYPE = { contactToPrimaryCompany: 1, contactToCompany: 279, contactToDeal: 4, noteToContact: 202, emailToContact: 198, emailToTicket: 224, ticketToContact: 16, ticketToCompany: 339, dealToContact: 3, dealToPrimaryCompany: 5, noteToDeal: 214 };
const missingScope = { status: 'error', message: 'This app hasn\'t been granted all required scopes to make this call.', category: 'MISSING_SCOPES', correlationId: 'c' };

describe('ContextAssembler (the real SDK against the HubSpot sandbox, budget in real Postgres)', () => {
  const sandbox = new HubSpotSandbox();
  let db: TestDatabase;
  let budget: HubSpotBudget;
  let assembler: ContextAssembler;
  let hubspot: Client;

  const seed = (type: CrmObjectType, properties: Record<string, string>) => sandbox.seedObject(PORTAL, type, properties).id;
  const associate = (from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string, typeId: number) =>
    hubspot.crm.associations.v4.basicApi.create(from, fromId, to, toId, [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: typeId }]);
  const assembled = async (type: CrmObjectType, id: string, spec: ContextSpec, associates: readonly AssociationRole[] = []): Promise<CrmContext> => {
    const result = await assembler.assemble(credentials, type, id, spec, associates);
    if (result.kind !== 'assembled') throw new Error(`not assembled: ${JSON.stringify(result)}`);
    return result.context;
  };

  beforeAll(async () => {
    const { url } = await sandbox.start();
    sandbox.addPortal({ portalId: PORTAL, accessToken: credentials.accessToken });
    for (const name of ['ai_category', 'ai_sentiment']) sandbox.defineProperty(PORTAL, 'tickets', { name, label: name, type: 'string', fieldType: 'text', groupName: 'ticketinformation' });
    // HubSpot computes it from the stage; the sandbox does not model it, so the tests set it.
    db = await createTestDatabase('context');
    budget = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1);
    assembler = new ContextAssembler(new CrmReader(new HubSpotApi(new HubSpotClientFactory(url)), budget));
    hubspot = new Client({ accessToken: credentials.accessToken, basePath: url, numberOfApiCallRetries: 0 });
  }, 60_000);

  afterAll(async () => {
    await sandbox.stop();
    await db?.drop();
  });

  it('reads a contact with its primary company, form fields, newest notes and emails, in four calls within the budget', async () => {
    const acme = seed('companies', { name: 'Acme', domain: 'acme.io', industry: 'COMPUTER_SOFTWARE' });
    const other = seed('companies', { name: 'Side Project', domain: 'side.example' });
    const contact = seed('contacts', { firstname: 'Jane', email: 'jane@acme.io', jobtitle: 'CTO', recent_conversion_event_name: 'Demo request form', message: 'Need pricing' });
    await associate('contacts', contact, 'companies', other, TYPE.contactToCompany);
    await associate('contacts', contact, 'companies', acme, TYPE.contactToPrimaryCompany);
    for (let day = 1; day <= 7; day++) {
      const note = seed('notes', { hs_note_body: `Call ${day}`, hs_timestamp: `2026-11-0${day}T10:00:00.000Z` });
      await associate('notes', note, 'contacts', contact, TYPE.noteToContact);
    }
    const email = seed('emails', { hs_email_direction: 'INCOMING_EMAIL', hs_email_subject: 'Pricing?', hs_email_text: 'How much for 40 seats?', hs_timestamp: '2026-11-20T09:00:00.000Z' });
    await associate('emails', email, 'contacts', contact, TYPE.emailToContact);
    const before = sandbox.requests().length;

    const context = await assembled('contacts', contact, LEAD_SCORING_V3.context);

    expect(context.record).toEqual({ firstname: 'Jane', email: 'jane@acme.io', jobtitle: 'CTO', recent_conversion_event_name: 'Demo request form', message: 'Need pricing' });
    expect(context.related.company).toEqual([{ id: acme, properties: { name: 'Acme', domain: 'acme.io', industry: 'COMPUTER_SOFTWARE' } }]);
    expect(context.related.notes!.map((n) => n.properties.hs_note_body)).toEqual(['Call 7', 'Call 6', 'Call 5', 'Call 4', 'Call 3']);
    expect(context.related.emails).toEqual([{ id: email, properties: { hs_email_direction: 'INCOMING_EMAIL', hs_email_subject: 'Pricing?', hs_email_text: 'How much for 40 seats?', hs_timestamp: expect.stringMatching(/^2026-11-20T09:00:00/) } }]);
    expect(context.reads.map((r) => [r.call.split(' ').slice(0, 2).join(' '), r.status])).toEqual([
      ['read contacts', 200],
      ['batch read', 200],
      ['batch read', 200],
      ['batch read', 200],
    ]);
    expect(sandbox.requests().length - before).toBe(4);
    expect((await budget.snapshot(PORTAL))!.dayCount).toBeGreaterThan(0);
    expect(context.rateLimit.max).toBeGreaterThan(0);
  });

  it('reads a ticket with its requester, company, the requester’s previous tickets and the email thread', async () => {
    const company = seed('companies', { name: 'Globex', domain: 'globex.example' });
    const contact = seed('contacts', { firstname: 'Hank', lastname: 'Scorpio', email: 'hank@globex.example' });
    const older = seed('tickets', { subject: 'Invoice missing', hs_pipeline: '0', hs_pipeline_stage: '4', ai_category: 'billing_issue' });
    const ticket = seed('tickets', { subject: 'Charged twice', content: 'We were billed twice this month', hs_pipeline: '0', hs_pipeline_stage: '1' });
    await associate('tickets', older, 'contacts', contact, TYPE.ticketToContact);
    await associate('tickets', ticket, 'contacts', contact, TYPE.ticketToContact);
    await associate('tickets', ticket, 'companies', company, TYPE.ticketToCompany);
    const first = seed('emails', { hs_email_direction: 'INCOMING_EMAIL', hs_email_text: 'We were billed twice', hs_timestamp: '2026-11-27T09:00:00.000Z' });
    const reply = seed('emails', { hs_email_direction: 'EMAIL', hs_email_text: 'Looking into it', hs_timestamp: '2026-11-27T10:00:00.000Z' });
    for (const email of [first, reply]) await associate('emails', email, 'tickets', ticket, TYPE.emailToTicket);

    const context = await assembled('tickets', ticket, TICKET_TRIAGE_V1.context);

    expect(context.record).toMatchObject({ subject: 'Charged twice', content: 'We were billed twice this month', hs_pipeline_stage: '1' });
    expect(context.related.contacts).toEqual([{ id: contact, properties: { firstname: 'Hank', lastname: 'Scorpio', email: 'hank@globex.example' } }]);
    expect(context.related.company).toEqual([{ id: company, properties: { name: 'Globex', domain: 'globex.example' } }]);
    // The ticket itself is not its own history.
    expect(context.related.previousTickets).toEqual([{ id: older, properties: expect.objectContaining({ subject: 'Invoice missing', ai_category: 'billing_issue' }) }]);
    expect(context.related.emails!.map((e) => e.properties.hs_email_text)).toEqual(['Looking into it', 'We were billed twice']);
  });

  it('reads a deal with its stage, amount, close date, contacts, primary company and latest activity', async () => {
    const company = seed('companies', { name: 'Initech' });
    const contacts = [seed('contacts', { firstname: 'Bill', jobtitle: 'VP' }), seed('contacts', { firstname: 'Peter', jobtitle: 'Engineer' })];
    const deal = seed('deals', { dealname: 'Initech renewal', dealstage: 'contractsent', amount: '48000', closedate: '2026-12-15T00:00:00.000Z' });
    for (const contact of contacts) await associate('deals', deal, 'contacts', contact, TYPE.dealToContact);
    await associate('deals', deal, 'companies', company, TYPE.dealToPrimaryCompany);
    const note = seed('notes', { hs_note_body: 'Legal is reviewing', hs_timestamp: '2026-11-26T12:00:00.000Z' });
    await associate('notes', note, 'deals', deal, TYPE.noteToDeal);

    const context = await assembled('deals', deal, {
      record: ['dealname', 'dealstage', 'amount', 'closedate', 'notes_last_updated'],
      related: { contacts: ['firstname', 'jobtitle'], company: ['name'], notes: ['hs_note_body'] },
    });

    expect(context.record).toMatchObject({ dealname: 'Initech renewal', dealstage: 'contractsent', amount: '48000', closedate: '2026-12-15T00:00:00Z' });
    expect(context.related.contacts!.map((c) => c.properties.firstname).sort()).toEqual(['Bill', 'Peter']);
    expect(context.related.company).toEqual([{ id: company, properties: { name: 'Initech' } }]);
    expect(context.related.notes).toEqual([{ id: note, properties: { hs_note_body: 'Legal is reviewing' } }]);
  });

  describe('the records a capability’s notes and tasks also go on (never part of the prompt’s context)', () => {
    const leadAssociates = LEAD_AI.associates('contact.creation');
    const deal = (name: string, closed: boolean, createdate: string) =>
      seed('deals', { dealname: name, dealstage: closed ? 'closedwon' : 'qualifiedtobuy', hs_is_closed: String(closed), createdate });

    it('finds a new lead’s primary company and its newest open deal with one call more than the prompt’s context', async () => {
      const acme = seed('companies', { name: 'Acme' });
      const side = seed('companies', { name: 'Side Project' });
      const contact = seed('contacts', { firstname: 'Jane', jobtitle: 'CTO' });
      await associate('contacts', contact, 'companies', side, TYPE.contactToCompany);
      await associate('contacts', contact, 'companies', acme, TYPE.contactToPrimaryCompany);
      const open = deal('Acme expansion', false, '2026-10-01T00:00:00.000Z');
      const won = deal('Acme pilot', true, '2026-11-01T00:00:00.000Z');
      const older = deal('Acme first try', false, '2026-01-01T00:00:00.000Z');
      for (const id of [older, won, open]) await associate('contacts', contact, 'deals', id, TYPE.contactToDeal);
      const before = sandbox.requests().length;

      const context = await assembled('contacts', contact, LEAD_SCORING_PROMPT.context, leadAssociates);

      // The newest deal is closed: the newest open one is the one the rep works.
      expect(context.associated).toEqual({ primaryCompany: acme, openDeal: open });
      // The prompt's context is what it was: no deal, no record ids.
      expect(context.related).toEqual({ company: [{ id: acme, properties: { name: 'Acme' } }] });
      expect(context.reads.map((r) => [r.call, r.status])).toEqual([
        [`read contacts ${contact}`, 200],
        ['batch read 1 companies', 200],
        ['batch read 3 deals', 200],
      ]);
      const calls = sandbox.requests().slice(before);
      expect(calls).toHaveLength(3);
      expect(calls[0]!.query).toMatch(/associations=[^&]*deals/);
      expect(calls[2]).toMatchObject({ method: 'POST', path: expect.stringMatching(/\/deals\/batch\/read$/), body: { properties: ['hs_is_closed', 'dealstage', 'createdate'] } });
    });

    it('associates nothing more for a contact with no company and no deal, at no extra call', async () => {
      const contact = seed('contacts', { firstname: 'Solo' });
      const before = sandbox.requests().length;
      const context = await assembled('contacts', contact, LEAD_SCORING_PROMPT.context, leadAssociates);
      expect(context.associated).toEqual({});
      expect(sandbox.requests().length - before).toBe(1);
    });

    it('finds no open deal when every deal is closed', async () => {
      const contact = seed('contacts', { firstname: 'Closed' });
      await associate('contacts', contact, 'deals', deal('Lost', true, '2026-10-01T00:00:00.000Z'), TYPE.contactToDeal);
      const context = await assembled('contacts', contact, { record: ['firstname'] }, leadAssociates);
      expect(context.associated).toEqual({});
    });

    it('a token without the deals scope costs the open deal only: a refused deals read is left out', async () => {
      const acme = seed('companies', { name: 'Acme' });
      const contact = seed('contacts', { firstname: 'Scoped' });
      await associate('contacts', contact, 'companies', acme, TYPE.contactToPrimaryCompany);
      await associate('contacts', contact, 'deals', deal('Open', false, '2026-10-01T00:00:00.000Z'), TYPE.contactToDeal);
      // The record read goes through; the deals read is refused.
      sandbox.injectFaults(PORTAL, [{ delayMs: 0, count: 1 }, { status: 403, body: missingScope }]);
      const context = await assembled('contacts', contact, { record: ['firstname'] }, leadAssociates);
      expect(context.record).toEqual({ firstname: 'Scoped' });
      expect(context.associated).toEqual({ primaryCompany: acme });
      expect(context.reads.map((r) => [r.call, r.status])).toEqual([
        [`read contacts ${contact}`, 200],
        ['batch read 1 deals', 403],
      ]);
    });

    it('a record read refused for listing deals is read again without them, once', async () => {
      const acme = seed('companies', { name: 'Acme' });
      const contact = seed('contacts', { firstname: 'Refused' });
      await associate('contacts', contact, 'companies', acme, TYPE.contactToPrimaryCompany);
      sandbox.injectFaults(PORTAL, [{ status: 403, body: missingScope }]);
      const before = sandbox.requests().length;
      const context = await assembled('contacts', contact, { record: ['firstname'] }, leadAssociates);
      expect(context.associated).toEqual({ primaryCompany: acme });
      expect(context.reads.map((r) => [r.call, r.status])).toEqual([
        [`read contacts ${contact} with its deals`, 403],
        [`read contacts ${contact}`, 200],
      ]);
      const calls = sandbox.requests().slice(before);
      expect(calls).toHaveLength(2);
      expect(calls[1]!.query).not.toMatch(/deals/);
    });

    it('finds a ticket’s requester in the reads its prompt’s context makes anyway, or in the ticket’s own read', async () => {
      const contact = seed('contacts', { firstname: 'Wanda', email: 'wanda@initech.example' });
      const ticket = seed('tickets', { subject: 'Charged twice', hs_pipeline: '0', hs_pipeline_stage: '1' });
      await associate('tickets', ticket, 'contacts', contact, TYPE.ticketToContact);
      const associates = SERVICE_AI.associates('ticket.creation');

      let before = sandbox.requests().length;
      const withContext = await assembled('tickets', ticket, TICKET_TRIAGE_V1.context, associates);
      expect(withContext.associated).toEqual({ requester: contact });
      const withoutAssociates = sandbox.requests().length - before;
      before = sandbox.requests().length;
      await assembled('tickets', ticket, TICKET_TRIAGE_V1.context);
      expect(withoutAssociates).toBe(sandbox.requests().length - before);

      before = sandbox.requests().length;
      const recordOnly = await assembled('tickets', ticket, { record: ['subject'] }, associates);
      expect(recordOnly.associated).toEqual({ requester: contact });
      expect(recordOnly.related).toEqual({});
      expect(sandbox.requests().length - before).toBe(1);
    });
  });

  it('fails with not-found for a record HubSpot no longer has, and leaves out related records that vanished', async () => {
    const contact = seed('contacts', { firstname: 'Gone' });
    await hubspot.crm.objects.basicApi.archive('contacts', contact);
    expect(await assembler.assemble(credentials, 'contacts', contact, LEAD_SCORING_V3.context)).toMatchObject({ kind: 'failed', failure: { kind: 'not-found' }, call: `read contacts ${contact}` });

    const kept = seed('contacts', { firstname: 'Kept' });
    const [stays, goes] = [seed('notes', { hs_note_body: 'stays', hs_timestamp: '2026-11-01T00:00:00.000Z' }), seed('notes', { hs_note_body: 'goes', hs_timestamp: '2026-11-02T00:00:00.000Z' })];
    for (const note of [stays, goes]) await associate('notes', note!, 'contacts', kept, TYPE.noteToContact);
    await hubspot.crm.objects.basicApi.archive('notes', goes!);
    const context = await assembled('contacts', kept, { record: ['firstname'], related: { notes: ['hs_note_body'] } });
    expect(context.related.notes).toEqual([{ id: stays, properties: { hs_note_body: 'stays' } }]);
  });

  it('leaves out a related role the token has no scope for (403), noting the call, and keeps the rest', async () => {
    const contact = seed('contacts', { firstname: 'Scoped' });
    const note = seed('notes', { hs_note_body: 'kept', hs_timestamp: '2026-11-01T00:00:00.000Z' });
    const email = seed('emails', { hs_email_text: 'not readable', hs_timestamp: '2026-11-02T00:00:00.000Z' });
    await associate('notes', note, 'contacts', contact, TYPE.noteToContact);
    await associate('emails', email, 'contacts', contact, TYPE.emailToContact);
    // The record and the notes read go through; the emails read is refused.
    sandbox.injectFaults(PORTAL, [{ delayMs: 0, count: 2 }, { status: 403, body: missingScope }]);
    const context = await assembled('contacts', contact, { record: ['firstname'], related: { notes: ['hs_note_body'], emails: ['hs_email_text'] } });
    expect(context.related).toEqual({ notes: [{ id: note, properties: { hs_note_body: 'kept' } }] });
    expect(context.reads.map((r) => r.status)).toEqual([200, 200, 403]);
  });

  it('hands a rate-limited read back as retriable and tells the shared budget', async () => {
    const contact = seed('contacts', { firstname: 'Busy' });
    const body = { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: 'c', policyName: 'TEN_SECONDLY_ROLLING', groupName: 'api' };
    sandbox.injectFaults(PORTAL, [{ status: 429, body, headers: { 'X-HubSpot-RateLimit-Interval-Milliseconds': '1500' } }]);
    const result = await assembler.assemble(credentials, 'contacts', contact, { record: ['firstname'] });
    expect(result).toMatchObject({ kind: 'failed', failure: { kind: 'retry' } });
    expect((await budget.snapshot(PORTAL))!.standard.blockedUntilMs).toBeGreaterThan(Date.now());
  });
});
