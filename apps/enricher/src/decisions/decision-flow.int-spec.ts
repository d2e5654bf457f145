import { Client } from '@hubspot/api-client';
import {
  BudgetRepository,
  EventStore,
  HubSpotBudget,
  HubSpotApi,
  HubSpotClientFactory,
  OperatorAlerts,
  PortalAccess,
  PortalRepository,
  startStory,
  StreamIds,
  TokenCipher,
  topicNames,
  type AppConfig,
  type CrmObjectType,
  type PlatformEvent,
  type StoredEvent,
} from '@app/common';
import { AnthropicDouble } from '../../../../sandbox/anthropic';
import { HubSpotSandbox } from '../../../../sandbox/hubspot';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { memoryLogger } from '../../../../test/support/logger';
import { AnthropicProvider } from '../ai/anthropic.provider';
import { ModelConcurrency } from '../ai/model-concurrency';
import { ContextAssembler } from '../context/context-assembler';
import { CrmReader } from '../crm/crm-reader';
import { LEAD_AI } from '../capabilities/lead-ai/lead-ai.capability';
import { SERVICE_AI } from '../capabilities/service-ai/service-ai.capability';
import { DecisionFlow } from './decision-flow';
import { DecisionMaker } from './decision-maker';
import { ModelRefusalAlerts } from './model-refusal-alerts';
import { DecisionRecords } from './decision-records';

const PORTAL = 6161;
const TOKEN = `pat-${PORTAL}`;

/**
 * One decision at a time through everything real but Kafka: the portal registry
 * and event store in Postgres, HubSpot reads from the sandbox through the SDK,
 * Claude through the SDK against the Messages API double.
 */
describe('DecisionFlow (Postgres, the HubSpot sandbox and the Anthropic double)', () => {
  const hubspot = new HubSpotSandbox();
  const claude = new AnthropicDouble();
  let db: TestDatabase;
  let events: EventStore;
  let flow: DecisionFlow;
  let crm: Client;

  const seed = (type: CrmObjectType, properties: Record<string, string>) => hubspot.seedObject(PORTAL, type, properties).id;
  const created = (subscriptionType: string, objectType: CrmObjectType, objectId: string) =>
    startStory({ type: 'WebhookEventReceived', portalId: PORTAL, data: { subscriptionType, objectType, objectId, hubspot: {} as never } }, new Date()) as PlatformEvent<'WebhookEventReceived'>;
  const storyOf = (trigger: PlatformEvent) => events.readByCorrelation(trigger.correlationId);
  const decisionIn = (story: StoredEvent[]) => story.find((e) => e.type === 'DecisionMade') as StoredEvent & { data: PlatformEvent<'DecisionMade'>['data'] };
  // Replies as Claude Haiku 5.5 gives them: its (omitted) thinking, then the structured output as JSON text.
  const structured = (answer: Record<string, unknown>) => ({ content: [{ type: 'thinking', thinking: '' }, { type: 'text', text: JSON.stringify(answer) }] });
  const invalidTriage = structured({ category: 'refunds', priority: 'HIGH', sentiment: 'frustrated', summary: 'Billed twice.' });
  const validTriage = structured({ category: 'billing_issue', priority: 'HIGH', sentiment: 'frustrated', summary: '{{FIRSTNAME_1}} was billed twice.', replyDraft: 'Hi {{FIRSTNAME_1}}, we are refunding the second charge.' });

  beforeAll(async () => {
    const hubspotUrl = (await hubspot.start()).url;
    const claudeUrl = (await claude.start()).url;
    hubspot.addPortal({ portalId: PORTAL, accessToken: TOKEN });
    db = await createTestDatabase('decisions_flow');
    events = new EventStore(db.dataSource);
    const portals = new PortalRepository(db.dataSource, new TokenCipher(Buffer.alloc(32, 7)));
    await portals.register({ portalId: PORTAL, name: 'Support Co', accessToken: TOKEN, settings: { serviceRouting: { defaultOwnerId: '55' } } });
    const budget = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1);
    const provider = new AnthropicProvider({ apiKey: 'sk-ant-test', baseURL: claudeUrl, defaultModel: 'claude-sonnet-5-5', maxRetries: 0 });
    const records = new DecisionRecords(db.dataSource);
    const maker = new DecisionMaker(provider, records, new ModelConcurrency({ global: 4, perPortal: 2 }));
    flow = new DecisionFlow(events, new PortalAccess(portals, { portalCacheMs: 0 } as AppConfig, () => new Date()), new ContextAssembler(new CrmReader(new HubSpotApi(new HubSpotClientFactory(hubspotUrl)), budget)), maker, records, new ModelRefusalAlerts(new OperatorAlerts(events, memoryLogger().logger, () => new Date()), new PortalAccess(portals, { portalCacheMs: 0 } as AppConfig, () => new Date())), topicNames('flow'), () => new Date());
    crm = new Client({ accessToken: TOKEN, basePath: hubspotUrl, numberOfApiCallRetries: 0 });
  }, 60_000);
  beforeEach(() => claude.reset());
  afterAll(async () => {
    await hubspot.stop();
    await claude.stop();
    await db?.drop();
  });

  /** A ticket from a customer whose email and phone appear in the ticket and its thread. */
  let customers = 0;
  async function aTicket(subject: string): Promise<string> {
    // HubSpot keeps contact emails unique: each ticket gets its own customer.
    customers += 1;
    const address = customers === 1 ? 'maria@lopez-shop.example' : `maria+${customers}@lopez-shop.example`;
    const contact = seed('contacts', { firstname: 'Maria', lastname: 'Lopez', email: address, phone: '+34 912 345 678' });
    const ticket = seed('tickets', { subject, content: `Maria here, call +34 912 345 678 or write to ${address}`, hs_pipeline: '0', hs_pipeline_stage: '1' });
    await crm.crm.associations.v4.basicApi.createDefault('tickets', ticket, 'contacts', contact);
    const email = seed('emails', { hs_email_direction: 'INCOMING_EMAIL', hs_email_text: `From ${address}: still charged twice`, hs_timestamp: '2026-11-28T09:00:00.000Z' });
    await crm.crm.associations.v4.basicApi.createDefault('emails', email, 'tickets', ticket);
    return ticket;
  }

  it('repairs an answer that fails validation once, quoting the errors, and records both answers and both calls’ tokens', async () => {
    const ticket = await aTicket('Charged twice');
    claude.enqueue(invalidTriage, validTriage);
    const trigger = created('ticket.creation', 'tickets', ticket);
    expect(await flow.run(SERVICE_AI, { trigger, triggerType: 'ticket.creation', objectId: ticket })).toEqual({ kind: 'done' });

    const requests = claude.received();
    expect(requests).toHaveLength(2);
    // The repair sends the first reply back as it came (thinking included) and says what was wrong with it.
    const repair = requests[1]!.body as { messages: Array<{ role: string; content: unknown }> };
    expect(repair.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(repair.messages[1]!.content).toEqual([expect.objectContaining({ type: 'thinking' }), expect.objectContaining({ type: 'text', text: expect.stringContaining('"refunds"') })]);
    expect(repair.messages[2]!.content).toEqual(expect.stringContaining('category must be one of'));
    // Neither call carried the customer's email address, phone number or name.
    for (const secret of ['maria@lopez-shop.example', '912 345 678', 'Maria', 'Lopez']) expect(JSON.stringify(requests.map((r) => r.body))).not.toContain(secret);

    const story = await storyOf(trigger);
    const decision = decisionIn(story);
    expect(decision.data).toMatchObject({
      prompt: { id: 'ticket-triage', version: 2 },
      output: { category: 'billing_issue', priority: 'HIGH' },
      repairedFrom: { output: { category: 'refunds' }, problems: [expect.stringContaining('category must be one of')] },
    });
    expect(decision.data.usage.inputTokens).toBeGreaterThan(0);
    expect(story.filter((e) => e.type === 'WritebackRequested').map((e) => e.data)).toEqual([
      expect.objectContaining({ kind: 'update-properties', properties: expect.objectContaining({ hs_ticket_priority: 'HIGH', ai_summary: 'Maria was billed twice.', hubspot_owner_id: '55' }) }),
      expect.objectContaining({ kind: 'create-note', body: expect.stringContaining('Hi Maria, we are refunding the second charge.') }),
      expect.objectContaining({ kind: 'create-task', ownerId: '55' }),
    ]);
    // The reply draft and the SLA task also go on the requester, whom the context names for the audit.
    const requester = (story.find((e) => e.type === 'ContextFetched')!.data as PlatformEvent<'ContextFetched'>['data']).snapshot['associated.requester'];
    expect(requester).toEqual(expect.any(String));
    for (const command of story.filter((e) => e.type === 'WritebackRequested').map((e) => e.data as { kind: string; alsoAssociate?: unknown })) {
      expect(command.alsoAssociate).toEqual(command.kind === 'update-properties' ? undefined : [{ objectType: 'contacts', objectId: requester }]);
    }
  });

  it('records a second invalid answer as DecisionFailed with both whole replies and their tokens, and dead-letters the trigger with them', async () => {
    const ticket = await aTicket('Broken export');
    const chatty = { content: [{ type: 'thinking', thinking: 'Sure, filing this under refunds.' }, ...invalidTriage.content.slice(1)] };
    claude.enqueue(chatty, invalidTriage);
    const trigger = created('ticket.creation', 'tickets', ticket);
    const outcome = await flow.run(SERVICE_AI, { trigger, triggerType: 'ticket.creation', objectId: ticket });
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: expect.stringMatching(/failed validation twice: category must be one of.*reply 1: .*Sure, filing this under refunds.*\\"refunds\\".*reply 2: .*\\"refunds\\"/) });

    const stream = await events.readStream(StreamIds.crmObject(PORTAL, 'tickets', ticket));
    expect(stream.map((e) => e.type)).toEqual(['ContextFetched', 'DecisionFailed']);
    const failure = stream[1]!.data as PlatformEvent<'DecisionFailed'>['data'];
    expect((outcome as { reason: string }).reason).toContain(`DecisionFailed ${stream[1]!.id}`);
    expect(failure.answers.map((a) => a.raw)).toEqual([
      [expect.objectContaining({ type: 'thinking', thinking: 'Sure, filing this under refunds.' }), expect.objectContaining({ type: 'text', text: expect.stringContaining('"refunds"') })],
      [expect.objectContaining({ type: 'thinking' }), expect.objectContaining({ type: 'text', text: expect.stringContaining('"refunds"') })],
    ]);
    expect(failure.answers[1]!.problems).toEqual([expect.stringContaining('category must be one of')]);
    expect(failure.usage.inputTokens).toBeGreaterThan(0);
    expect(failure.costUsd).toBeGreaterThan(0);
    expect(stream.some((e) => e.type === 'DecisionMade' || e.type === 'WritebackRequested')).toBe(false);
  });

  it('never pays twice: a second trigger with the same input reuses the recorded answer without calling the model', async () => {
    const contact = seed('contacts', { firstname: 'Ada', jobtitle: 'CTO', company: 'Engines Ltd', email: 'ada@engines.example' });
    const first = created('contact.creation', 'contacts', contact);
    const again = created('contact.creation', 'contacts', contact);
    expect(await flow.run(LEAD_AI, { trigger: first, triggerType: 'contact.creation', objectId: contact })).toEqual({ kind: 'done' });
    expect(await flow.run(LEAD_AI, { trigger: again, triggerType: 'contact.creation', objectId: contact })).toEqual({ kind: 'done' });

    expect(claude.received()).toHaveLength(1);
    const paid = decisionIn(await storyOf(first));
    const reused = decisionIn(await storyOf(again));
    expect(reused.id).not.toBe(paid.id);
    expect(reused.data).toMatchObject({ reusedFrom: { decisionId: paid.id }, output: paid.data.output, input: paid.data.input, costUsd: 0, usage: { inputTokens: 0, outputTokens: 0 } });
    expect(reused.data.prompt.hash).toBe(paid.data.prompt.hash);

    // Changed data is a new input: the model is asked again.
    await crm.crm.contacts.basicApi.update(contact, { properties: { jobtitle: 'CEO' } });
    const changed = created('contact.creation', 'contacts', contact);
    await flow.run(LEAD_AI, { trigger: changed, triggerType: 'contact.creation', objectId: contact });
    expect(claude.received()).toHaveLength(2);
    expect(decisionIn(await storyOf(changed)).data.reusedFrom).toBeUndefined();
  });

  describe('a new lead’s draft and follow-up task also go on its primary company and open deal', () => {
    const lead = structured({ score: 72, persona: 'decision_maker', summary: 'Evaluating a switch.', emailDraft: 'Hi {{FIRSTNAME_1}}, thanks for your interest.' });
    let leads = 0;
    async function aLead(): Promise<{ contact: string; company: string; open: string }> {
      leads += 1;
      const company = seed('companies', { name: `Northwind ${leads}` });
      const contact = seed('contacts', { firstname: 'Nora', jobtitle: 'COO', email: `nora${leads}@northwind.example` });
      const open = seed('deals', { dealname: 'Northwind rollout', dealstage: 'qualifiedtobuy', hs_is_closed: 'false', createdate: '2026-10-01T00:00:00.000Z' });
      const won = seed('deals', { dealname: 'Northwind pilot', dealstage: 'closedwon', hs_is_closed: 'true', createdate: '2026-11-01T00:00:00.000Z' });
      await crm.crm.associations.v4.basicApi.create('contacts', contact, 'companies', company, [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 1 }]);
      for (const deal of [open, won]) await crm.crm.associations.v4.basicApi.createDefault('contacts', contact, 'deals', deal);
      return { contact, company, open };
    }
    const writebacksOf = (story: StoredEvent[]) => story.filter((e) => e.type === 'WritebackRequested').map((e) => e.data as { kind: string; objectId: string; alsoAssociate?: unknown });

    it('note and task on the contact, its company and its open deal (not the closed one); ContextFetched names both', async () => {
      const { contact, company, open } = await aLead();
      claude.enqueue(lead);
      const trigger = created('contact.creation', 'contacts', contact);
      expect(await flow.run(LEAD_AI, { trigger, triggerType: 'contact.creation', objectId: contact })).toEqual({ kind: 'done' });

      const story = await storyOf(trigger);
      const context = story.find((e) => e.type === 'ContextFetched')!.data as PlatformEvent<'ContextFetched'>['data'];
      expect(context.snapshot).toMatchObject({ 'associated.primaryCompany': company, 'associated.openDeal': open });
      // The model saw neither id.
      expect(JSON.stringify(claude.received().map((r) => r.body))).not.toMatch(new RegExp(`\\b(${company}|${open})\\b`));
      const onAll = [{ objectType: 'companies', objectId: company }, { objectType: 'deals', objectId: open }];
      expect(writebacksOf(story)).toEqual([
        expect.objectContaining({ kind: 'update-properties', objectId: contact }),
        expect.objectContaining({ kind: 'create-note', objectId: contact, alsoAssociate: onAll }),
        expect.objectContaining({ kind: 'create-task', objectId: contact, alsoAssociate: onAll }),
      ]);
      expect(writebacksOf(story)[0]!.alsoAssociate).toBeUndefined();
    });

    it('a token without the deals scope still gets the decision, and the company association, without the deal', async () => {
      const { contact, company } = await aLead();
      claude.enqueue(lead);
      const missingScope = { status: 'error', message: 'This app hasn\'t been granted all required scopes to make this call.', category: 'MISSING_SCOPES', correlationId: 'c' };
      // The contact's read and the company's go through; the deals read is refused.
      hubspot.injectFaults(PORTAL, [{ delayMs: 0, count: 2 }, { status: 403, body: missingScope }]);
      const trigger = created('contact.creation', 'contacts', contact);
      expect(await flow.run(LEAD_AI, { trigger, triggerType: 'contact.creation', objectId: contact })).toEqual({ kind: 'done' });

      const story = await storyOf(trigger);
      const context = story.find((e) => e.type === 'ContextFetched')!.data as PlatformEvent<'ContextFetched'>['data'];
      expect(context.reads).toContainEqual({ call: 'batch read 2 deals', status: 403 });
      expect(context.hubspotStatus).toBe(200);
      expect(context.snapshot).not.toHaveProperty(['associated.openDeal']);
      expect(decisionIn(story).data.output).toMatchObject({ score: 72 });
      const onCompany = [{ objectType: 'companies', objectId: company }];
      expect(writebacksOf(story).slice(1)).toEqual([
        expect.objectContaining({ kind: 'create-note', alsoAssociate: onCompany }),
        expect.objectContaining({ kind: 'create-task', alsoAssociate: onCompany }),
      ]);
    });
  });

  it('records a ticket deleted before it was read as skipped, without a model call', async () => {
    const ticket = seed('tickets', { subject: 'Gone', hs_pipeline: '0', hs_pipeline_stage: '1' });
    await crm.crm.tickets.basicApi.archive(ticket);
    const trigger = created('ticket.creation', 'tickets', ticket);
    expect(await flow.run(SERVICE_AI, { trigger, triggerType: 'ticket.creation', objectId: ticket })).toEqual({ kind: 'done' });
    expect(claude.received()).toHaveLength(0);
    expect((await storyOf(trigger)).map((e) => [e.type, (e.data as { reason?: string }).reason])).toEqual([['TriggerSkipped', expect.stringContaining(`tickets ${ticket} no longer exists`)]]);
  });
});
