import { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum, FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/emails';
import { HubSpotSandbox } from './hubspot-sandbox';
import { failureOf } from '../test-support/api-failure.helper';

const HUBSPOT_DEFINED = AssociationSpecAssociationCategoryEnum.HubspotDefined;
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
/** HubSpot-defined association type ids (v4 docs; the SDK's `AssociationTypes` enum has the same numbers). */
const TYPE = {
  primaryContactToCompany: 1,
  primaryCompanyToContact: 2,
  contactToTicket: 15,
  ticketToContact: 16,
  companyToEmail: 185,
  emailToCompany: 186,
  contactToEmail: 197,
  emailToContact: 198,
  dealToEmail: 209,
  emailToDeal: 210,
  ticketToEmail: 223,
  emailToTicket: 224,
  contactToCompany: 279,
  companyToContact: 280,
};

/** The CRM context the enricher reads: email engagements, v4 association labels, HubSpot-computed properties. */
describe('HubSpotSandbox CRM context through @hubspot/api-client', () => {
  let clock = T0;
  let sandbox: HubSpotSandbox;
  let url: string;
  let client: Client;

  beforeEach(async () => {
    clock = T0;
    sandbox = new HubSpotSandbox({ now: () => clock });
    ({ url } = await sandbox.start());
    sandbox.addPortal({ portalId: 101, accessToken: 'pat-101', tier: 'professional' });
    client = new Client({ accessToken: 'pat-101', basePath: url });
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  /** v4 `associationTypes` per target id, e.g. `{ '10001': [[1, 'Primary'], [279, null]] }`. */
  const typesByTarget = (results: Array<{ toObjectId: unknown; associationTypes: Array<{ typeId: number; label?: string | null }> }>) =>
    Object.fromEntries(results.map((r) => [String(r.toObjectId), r.associationTypes.map((t) => [t.typeId, t.label ?? null])]));

  describe('emails (object type 0-49)', () => {
    it('creates an email associated with a contact (198) and a ticket (224); both read it back through v4', async () => {
      const contact = sandbox.seedObject(101, 'contacts', { email: 'hank@globex.example', firstname: 'Hank' });
      const ticket = sandbox.seedObject(101, 'tickets', { subject: 'Charged twice', hs_pipeline: '0', hs_pipeline_stage: '1' });
      const email = await client.crm.objects.emails.basicApi.create({
        properties: {
          hs_timestamp: '2025-06-01T09:30:00.000Z',
          hs_email_direction: 'INCOMING_EMAIL',
          hs_email_subject: 'Double charge',
          hs_email_text: 'We were billed twice this month.',
          hs_email_status: 'SENT',
          hs_email_headers: JSON.stringify({ from: { email: 'hank@globex.example', firstName: 'Hank' }, to: [{ email: 'support@example.com' }], cc: [], bcc: [] }),
        },
        associations: [
          { to: { id: contact.id }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: TYPE.emailToContact }] },
          { to: { id: ticket.id }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: TYPE.emailToTicket }] },
        ],
      });
      expect(sandbox.requests().at(-1)).toMatchObject({ method: 'POST', path: '/crm/v3/objects/emails', status: 201 });
      expect(email.properties).toMatchObject({
        hs_timestamp: '2025-06-01T09:30:00Z',
        hs_email_direction: 'INCOMING_EMAIL',
        hs_email_subject: 'Double charge',
        hs_createdate: '2025-06-01T12:00:00Z',
        hs_object_id: email.id,
      });

      const fromEmail = await client.crm.associations.v4.basicApi.getPage('emails', email.id, 'contacts');
      expect(typesByTarget(fromEmail.results)).toEqual({ [contact.id]: [[TYPE.emailToContact, null]] });
      const contactEmails = await client.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'emails');
      expect(contactEmails.results).toEqual([
        { toObjectId: Number(email.id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: TYPE.contactToEmail, label: null }] },
      ]);
      const ticketEmails = await client.crm.associations.v4.basicApi.getPage('tickets', ticket.id, 'emails');
      expect(typesByTarget(ticketEmails.results)).toEqual({ [email.id]: [[TYPE.ticketToEmail, null]] });
      // The type id can be named by its HubSpot id (0-49) as well.
      const byTypeId = await client.crm.associations.v4.basicApi.getPage('0-1', contact.id, '0-49');
      expect(byTypeId.results.map((r) => String(r.toObjectId))).toEqual([email.id]);
      const v3 = await client.crm.objects.emails.basicApi.getById(email.id, undefined, undefined, ['contacts', 'tickets']);
      expect(v3.associations?.contacts?.results).toEqual([{ id: contact.id, type: 'email_to_contact' }]);
      expect(v3.associations?.tickets?.results).toEqual([{ id: ticket.id, type: 'email_to_ticket' }]);
    });

    it("lists a contact's emails through v4 and batch-reads them with properties, defaults and nulls as HubSpot does", async () => {
      const contact = sandbox.seedObject(101, 'contacts', { email: 'jane@acme.io' });
      const quiet = sandbox.seedObject(101, 'contacts', { email: 'quiet@acme.io' });
      const ids: string[] = [];
      for (const [direction, text, at] of [
        ['EMAIL', 'Here is the pricing sheet', '2025-05-30T10:00:00Z'],
        ['INCOMING_EMAIL', 'How much for 40 seats?', '2025-05-31T09:00:00Z'],
      ] as const) {
        const email = sandbox.seedObject(101, 'emails', { hs_email_direction: direction, hs_email_text: text, hs_timestamp: at, hs_email_subject: 'Pricing' });
        await client.crm.associations.v4.basicApi.create('emails', email.id, 'contacts', contact.id, [
          { associationCategory: HUBSPOT_DEFINED as never, associationTypeId: TYPE.emailToContact },
        ]);
        ids.push(email.id);
      }

      const batch = await client.crm.associations.v4.batchApi.getPage('contacts', 'emails', { inputs: [{ id: contact.id }, { id: quiet.id }] });
      expect(batch.results.map((r) => [r._from.id, r.to.map((t) => String(t.toObjectId))])).toEqual([[contact.id, ids]]);
      expect(batch.results[0]?.to[0]?.associationTypes).toEqual([{ category: 'HUBSPOT_DEFINED', typeId: TYPE.contactToEmail, label: null }]);
      expect(sandbox.requests().at(-1)?.status).toBe(207);

      const read = await client.crm.objects.emails.batchApi.read({
        inputs: ids.map((id) => ({ id })),
        properties: ['hs_email_direction', 'hs_email_text', 'hs_timestamp', 'hs_email_html'],
        propertiesWithHistory: [],
      });
      const byId = Object.fromEntries(read.results.map((r) => [r.id, r.properties]));
      expect(byId[ids[1]!]).toEqual({
        hs_createdate: '2025-06-01T12:00:00Z',
        hs_email_direction: 'INCOMING_EMAIL',
        hs_email_html: null,
        hs_email_text: 'How much for 40 seats?',
        hs_lastmodifieddate: '2025-06-01T12:00:00Z',
        hs_object_id: ids[1],
        hs_timestamp: '2025-05-31T09:00:00Z',
      });
      const plain = await client.crm.objects.emails.basicApi.getById(ids[0]!);
      expect(Object.keys(plain.properties).sort()).toEqual(['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id']);

      const found = await client.crm.objects.emails.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'hs_email_direction', operator: FilterOperatorEnum.Eq, value: 'INCOMING_EMAIL' }] }],
        properties: ['hs_email_text'],
        sorts: [],
        limit: 10,
        after: '0',
      });
      expect(found.results.map((r) => r.properties.hs_email_text)).toEqual(['How much for 40 seats?']);
    });

    it('requires hs_timestamp, checks hs_email_direction options and refuses another object type’s association ids', async () => {
      const contact = sandbox.seedObject(101, 'contacts', { email: 'x@acme.io' });
      const missing = await failureOf(client.crm.objects.emails.basicApi.create({ properties: { hs_email_text: 'hi' }, associations: [] }));
      expect(missing.code).toBe(400);
      expect(missing.body).toMatchObject({ message: 'Error creating EMAIL. Some required properties were not set.', context: { properties: ['hs_timestamp'] } });

      const badOption = await failureOf(
        client.crm.objects.emails.basicApi.create({ properties: { hs_timestamp: String(T0), hs_email_direction: 'OUTGOING' }, associations: [] }),
      );
      expect(badOption.code).toBe(400);
      expect((badOption.body as { message: string }).message).toContain('"error":"INVALID_OPTION"');

      const noteType = await failureOf(
        client.crm.objects.emails.basicApi.create({
          properties: { hs_timestamp: String(T0) },
          associations: [{ to: { id: contact.id }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 202 }] }],
        }),
      );
      expect((noteType.body as { message: string }).message).toBe('invalid from object type 0-49 for associations to be created. expected: 0-46');
      // 225 is ticket → meeting, not ticket → email (223).
      const ticket = sandbox.seedObject(101, 'tickets', { subject: 'x' });
      const email = sandbox.seedObject(101, 'emails', { hs_timestamp: String(T0) });
      const wrong = await failureOf(
        client.crm.associations.v4.basicApi.create('tickets', ticket.id, 'emails', email.id, [{ associationCategory: HUBSPOT_DEFINED as never, associationTypeId: 225 }]),
      );
      expect(wrong.code).toBe(400);
      expect(sandbox.listObjects(101, 'emails')).toHaveLength(1);
    });

    it('registers the HubSpot-defined email association types in both directions', async () => {
      const company = sandbox.seedObject(101, 'companies', { name: 'Acme' });
      const deal = sandbox.seedObject(101, 'deals', { dealname: 'Renewal' });
      const email = sandbox.seedObject(101, 'emails', { hs_timestamp: String(T0) });
      await client.crm.associations.v4.basicApi.createDefault('emails', email.id, 'companies', company.id);
      await client.crm.associations.v4.basicApi.create('deals', deal.id, 'emails', email.id, [{ associationCategory: HUBSPOT_DEFINED as never, associationTypeId: TYPE.dealToEmail }]);
      expect(typesByTarget((await client.crm.associations.v4.basicApi.getPage('emails', email.id, 'companies')).results)).toEqual({ [company.id]: [[TYPE.emailToCompany, null]] });
      expect(typesByTarget((await client.crm.associations.v4.basicApi.getPage('companies', company.id, 'emails')).results)).toEqual({ [email.id]: [[TYPE.companyToEmail, null]] });
      expect(typesByTarget((await client.crm.associations.v4.basicApi.getPage('emails', email.id, 'deals')).results)).toEqual({ [deal.id]: [[TYPE.emailToDeal, null]] });
      expect(typesByTarget((await client.crm.associations.v4.basicApi.getPage('deals', deal.id, 'emails')).results)).toEqual({ [email.id]: [[TYPE.dealToEmail, null]] });
    });
  });

  describe('association labels', () => {
    it("reads a contact's primary company as HubSpot lists it: Primary (1) plus the unlabeled type (279)", async () => {
      const contact = sandbox.seedObject(101, 'contacts', { email: 'jane@acme.io' });
      const side = sandbox.seedObject(101, 'companies', { name: 'Side Project' });
      const acme = sandbox.seedObject(101, 'companies', { name: 'Acme' });
      await client.crm.associations.v4.basicApi.createDefault('contacts', contact.id, 'companies', side.id);
      const labeled = await client.crm.associations.v4.basicApi.create('contacts', contact.id, 'companies', acme.id, [
        { associationCategory: HUBSPOT_DEFINED as never, associationTypeId: TYPE.primaryContactToCompany },
      ]);
      expect(labeled.labels).toEqual(['Primary']);

      const page = await client.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'companies');
      expect(page.results).toEqual([
        { toObjectId: Number(side.id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: TYPE.contactToCompany, label: null }] },
        {
          toObjectId: Number(acme.id),
          associationTypes: [
            { category: 'HUBSPOT_DEFINED', typeId: TYPE.primaryContactToCompany, label: 'Primary' },
            { category: 'HUBSPOT_DEFINED', typeId: TYPE.contactToCompany, label: null },
          ],
        },
      ]);
      const primary = page.results.find((r) => r.associationTypes.some((t) => t.typeId === TYPE.primaryContactToCompany));
      expect(String(primary?.toObjectId)).toBe(acme.id);

      const batch = await client.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: [{ id: contact.id }] });
      expect(typesByTarget(batch.results[0]?.to ?? [])).toEqual({
        [side.id]: [[TYPE.contactToCompany, null]],
        [acme.id]: [[TYPE.primaryContactToCompany, 'Primary'], [TYPE.contactToCompany, null]],
      });
      const reverse = await client.crm.associations.v4.basicApi.getPage('companies', acme.id, 'contacts');
      expect(typesByTarget(reverse.results)).toEqual({ [contact.id]: [[TYPE.primaryCompanyToContact, 'Primary'], [TYPE.companyToContact, null]] });
      const v3 = await client.crm.contacts.basicApi.getById(contact.id, undefined, undefined, ['companies']);
      expect(v3.associations?.companies?.results).toEqual([
        { id: side.id, type: 'contact_to_company_unlabeled' },
        { id: acme.id, type: 'contact_to_company' },
        { id: acme.id, type: 'contact_to_company_unlabeled' },
      ]);
    });

    it('moves the Primary label when another company becomes primary; the old one stays associated', async () => {
      const contact = sandbox.seedObject(101, 'contacts', { email: 'moves@acme.io' });
      const [first, second] = [sandbox.seedObject(101, 'companies', { name: 'First' }), sandbox.seedObject(101, 'companies', { name: 'Second' })];
      const primary = [{ associationCategory: HUBSPOT_DEFINED as never, associationTypeId: TYPE.primaryContactToCompany }];
      await client.crm.associations.v4.basicApi.create('contacts', contact.id, 'companies', first.id, primary);
      // Set from the company side this time (type 2).
      await client.crm.associations.v4.basicApi.create('companies', second.id, 'contacts', contact.id, [
        { associationCategory: HUBSPOT_DEFINED as never, associationTypeId: TYPE.primaryCompanyToContact },
      ]);
      const page = await client.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'companies');
      expect(typesByTarget(page.results)).toEqual({
        [first.id]: [[TYPE.contactToCompany, null]],
        [second.id]: [[TYPE.primaryContactToCompany, 'Primary'], [TYPE.contactToCompany, null]],
      });
      expect(typesByTarget((await client.crm.associations.v4.basicApi.getPage('companies', first.id, 'contacts')).results)).toEqual({
        [contact.id]: [[TYPE.companyToContact, null]],
      });
    });

    it('lists tickets from the contact side (15) for a ticket → contact association (16)', async () => {
      const contact = sandbox.seedObject(101, 'contacts', { email: 'req@acme.io' });
      const tickets = [sandbox.seedObject(101, 'tickets', { subject: 'Older' }), sandbox.seedObject(101, 'tickets', { subject: 'Newer' })];
      for (const ticket of tickets) {
        await client.crm.associations.v4.basicApi.create('tickets', ticket.id, 'contacts', contact.id, [
          { associationCategory: HUBSPOT_DEFINED as never, associationTypeId: TYPE.ticketToContact },
        ]);
      }
      const page = await client.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'tickets');
      expect(typesByTarget(page.results)).toEqual(Object.fromEntries(tickets.map((t) => [t.id, [[TYPE.contactToTicket, null]]])));
      const read = await client.crm.tickets.batchApi.read({ inputs: page.results.map((r) => ({ id: String(r.toObjectId) })), properties: ['subject'], propertiesWithHistory: [] });
      expect(read.results.map((r) => r.properties.subject).sort()).toEqual(['Newer', 'Older']);
    });
  });

  describe('properties the enricher reads', () => {
    it('has the contact, deal and ticket properties, with HubSpot types and read-only computed values', async () => {
      const props = async (type: string) =>
        Object.fromEntries((await client.crm.properties.coreApi.getAll(type)).results.map((p) => [p.name, p as unknown as Record<string, unknown>]));
      const contacts = await props('contacts');
      for (const name of ['recent_conversion_event_name', 'recent_conversion_date', 'first_conversion_event_name', 'num_conversion_events', 'message', 'hs_lead_status', 'lifecyclestage', 'jobtitle', 'company', 'industry', 'numemployees', 'country', 'website', 'phone', 'address', 'city']) {
        expect(contacts[name]).toBeDefined();
      }
      expect(contacts.recent_conversion_date).toMatchObject({ type: 'datetime', fieldType: 'date', groupName: 'conversioninformation', modificationMetadata: { readOnlyValue: true } });
      expect(contacts.num_conversion_events).toMatchObject({ type: 'number', fieldType: 'number', calculated: true });
      expect(contacts.numemployees).toMatchObject({ type: 'enumeration', fieldType: 'select' });
      expect((contacts.numemployees!.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['1-5', '5-25', '25-50', '50-100', '100-500', '500-1000', '1000+']);
      expect((await client.crm.properties.groupsApi.getAll('contacts')).results.map((g) => g.name)).toContain('conversioninformation');

      const deals = await props('deals');
      expect(deals.notes_last_updated).toMatchObject({ label: 'Last Activity Date', type: 'datetime', groupName: 'deal_activity', modificationMetadata: { readOnlyValue: true } });
      expect(deals.num_associated_contacts).toMatchObject({ type: 'number', modificationMetadata: { readOnlyValue: true } });
      expect(deals.hs_lastmodifieddate).toMatchObject({ type: 'datetime' });
      const tickets = await props('tickets');
      expect(tickets.source_type).toMatchObject({ label: 'Source', type: 'enumeration', fieldType: 'select' });
      expect((tickets.source_type!.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['CHAT', 'EMAIL', 'FORM', 'PHONE']);
      for (const name of ['subject', 'content', 'hs_ticket_priority', 'hs_ticket_category', 'hs_pipeline_stage']) expect(tickets[name]).toBeDefined();
      const emails = await props('emails');
      expect(Object.keys(emails).sort()).toEqual(
        [
          'hs_attachment_ids',
          'hs_createdate',
          'hs_email_direction',
          'hs_email_headers',
          'hs_email_html',
          'hs_email_status',
          'hs_email_subject',
          'hs_email_text',
          'hs_lastmodifieddate',
          'hs_object_id',
          'hs_timestamp',
          'hubspot_owner_id',
        ].sort(),
      );
      expect((emails.hs_email_direction!.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['EMAIL', 'INCOMING_EMAIL', 'FORWARDED_EMAIL']);
    });

    it('seeds HubSpot-computed values, serves them, and refuses them through the API (READ_ONLY_VALUE)', async () => {
      const contact = sandbox.seedObject(101, 'contacts', {
        email: 'lead@acme.io',
        numemployees: '25-50',
        recent_conversion_event_name: 'Demo request form',
        recent_conversion_date: '2025-05-30T08:00:00.000Z',
        num_conversion_events: '2',
      });
      const read = await client.crm.contacts.basicApi.getById(contact.id, ['recent_conversion_event_name', 'recent_conversion_date', 'num_conversion_events', 'numemployees']);
      expect(read.properties).toMatchObject({
        recent_conversion_event_name: 'Demo request form',
        recent_conversion_date: '2025-05-30T08:00:00Z',
        num_conversion_events: '2',
        numemployees: '25-50',
      });
      const refused = await failureOf(client.crm.contacts.basicApi.update(contact.id, { properties: { recent_conversion_event_name: 'Other form' } }));
      expect(refused.code).toBe(400);
      expect((refused.body as { message: string }).message).toContain('"error":"READ_ONLY_VALUE"');
      const notARange = await failureOf(client.crm.contacts.basicApi.update(contact.id, { properties: { numemployees: '40' } }));
      expect((notARange.body as { message: string }).message).toContain('"error":"INVALID_OPTION"');
      expect(() => sandbox.seedObject(101, 'contacts', { num_conversion_events: 'many' })).toThrow(/num_conversion_events/);
    });

    it("counts a deal's contacts in num_associated_contacts and serves a seeded notes_last_updated", async () => {
      const deal = sandbox.seedObject(101, 'deals', { dealname: 'Initech renewal', notes_last_updated: '2025-05-28T16:00:00Z' });
      const [bill, peter] = [sandbox.seedObject(101, 'contacts', { firstname: 'Bill' }), sandbox.seedObject(101, 'contacts', { firstname: 'Peter' })];
      const read = () => client.crm.deals.basicApi.getById(deal.id, ['num_associated_contacts', 'notes_last_updated', 'hs_lastmodifieddate']);
      expect((await read()).properties).toMatchObject({ num_associated_contacts: '0', notes_last_updated: '2025-05-28T16:00:00Z', hs_lastmodifieddate: '2025-06-01T12:00:00Z' });
      await client.crm.associations.v4.basicApi.createDefault('deals', deal.id, 'contacts', bill.id);
      await client.crm.associations.v4.basicApi.createDefault('contacts', peter.id, 'deals', deal.id);
      expect((await read()).properties.num_associated_contacts).toBe('2');
      await client.crm.associations.v4.basicApi.archive('deals', deal.id, 'contacts', bill.id);
      expect((await read()).properties.num_associated_contacts).toBe('1');
    });
  });
});
