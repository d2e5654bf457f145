import { Client } from '@hubspot/api-client';
import type { StoredEvent } from '@app/common';
import { AnthropicDouble } from '../sandbox/anthropic';
import { HubSpotSandbox } from '../sandbox/hubspot';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually, uniquePrefix } from './support/kafka';
import { TEST_ADMIN_KEY, TEST_CLIENT_SECRET, testEnv } from './support/platform';
import { freePort, runNode, SERVICES, startService, stopService, type RunningService } from './support/services';
import { openRows } from './support/personal-data';

/**
 * The walking skeleton through all four services as processes, on the real Kafka
 * and Postgres: HubSpot (the sandbox) fires a signed contact.creation or
 * ticket.creation webhook → ingest → enricher (HubSpot reads + Claude via the
 * double) → writer → HubSpot.
 */
describe('walking skeleton: webhook to writeback', () => {
  const PORTAL = 62515;
  const TOKEN = 'pat-na1-e2e-portal';
  const APP_ID = 54321;
  const hubspot = new HubSpotSandbox({ webhookRetry: { delayMs: (retry) => 200 * retry } });
  const claude = new AnthropicDouble();
  const prefix = uniquePrefix('e2e');
  const services: RunningService[] = [];
  let db: TestDatabase;
  let adminUrl: string;
  let crm: Client;
  let stalledDeal: string;
  let healthyDeal: string;
  let buyer: string;
  let buyerCompany: string;
  /** A time zone where it is past 08:00 today, so the scheduler's catch-up runs the portal's 08:00 review at once. */
  const pastEight = ['Pacific/Kiritimati', 'Asia/Tokyo', 'Asia/Kolkata', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu'].find((zone) => {
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
    return hour >= 9 && hour <= 22;
  })!;

  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${adminUrl}${path}`, { ...init, headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json', ...init.headers } });

  beforeAll(async () => {
    db = await createTestDatabase('e2e');
    const [ingestPort, adminPort] = [await freePort(), await freePort()];
    const hubspotUrl = (await hubspot.start()).url;
    const claudeUrl = (await claude.start()).url;
    const env = testEnv(db.url, prefix, {
      HUBSPOT_API_BASE_URL: hubspotUrl,
      ANTHROPIC_API_KEY: 'sk-ant-test-key',
      ANTHROPIC_BASE_URL: claudeUrl,
      INGEST_PORT: String(ingestPort),
      ADMIN_PORT: String(adminPort),
      PUBLIC_BASE_URL: `http://127.0.0.1:${ingestPort}`,
      KAFKA_TOPIC_PARTITIONS: '3',
      SCHEDULER_DAILY_AT: '00:00',
      SCHEDULER_TICK_MS: '1000',
      LOG_LEVEL: 'info',
    });
    // The operator's start sequence: migrations, topics, then the services.
    await runNode('dist/tools/main.js', ['db:migrate'], env);
    await runNode('dist/tools/main.js', ['kafka:topics'], env);
    for (const name of SERVICES) services.push(startService(name, env));
    adminUrl = `http://127.0.0.1:${adminPort}`;
    await eventually(async () => (await fetch(`http://127.0.0.1:${ingestPort}/health/ready`).catch(() => undefined))?.status === 200, 60_000, 'ingest to be ready');

    hubspot.addPortal({ portalId: PORTAL, accessToken: TOKEN, tier: 'professional', appId: APP_ID });
    // The routing's owners: the admin API checks them in HubSpot before it stores the settings.
    hubspot.addOwner(PORTAL, { id: '77', email: 'lead-owner@acme-realty.example' });
    hubspot.addOwner(PORTAL, { id: '88', email: 'support-owner@acme-realty.example' });
    for (const name of ['ai_lead_score', 'ai_persona', 'ai_summary', 'ai_pain_points', 'ai_recommended_action']) {
      hubspot.defineProperty(PORTAL, 'contacts', { name, label: name, type: 'string', fieldType: 'text', groupName: 'contactinformation' });
    }
    for (const name of ['ai_category', 'ai_sentiment', 'ai_summary']) {
      hubspot.defineProperty(PORTAL, 'tickets', { name, label: name, type: 'string', fieldType: 'text', groupName: 'ticketinformation' });
    }
    hubspot.configureApp({
      appId: APP_ID,
      clientSecret: TEST_CLIENT_SECRET,
      webhookTargetUrl: `http://127.0.0.1:${ingestPort}/webhooks/hubspot`,
      subscriptions: ['contact.creation', 'contact.propertyChange', 'ticket.creation'],
    });
    crm = new Client({ accessToken: TOKEN, basePath: hubspotUrl });

    // The portal's pipeline before it is registered (the scheduler reviews it as soon as it is): a deal nobody
    // has contacted for 40 days, with its buyer and their company, and a healthy one.
    const day = 86_400_000;
    const deal = (properties: Record<string, string>) =>
      hubspot.seedObject(PORTAL, 'deals', {
        dealname: 'Harbour View listing',
        pipeline: 'default',
        dealstage: 'presentationscheduled',
        amount: '48000',
        closedate: new Date(Date.now() + 20 * day).toISOString(),
        hubspot_owner_id: '77',
        hs_next_step: 'Second viewing',
        notes_last_contacted: new Date(Date.now() - day).toISOString(),
        createdate: new Date(Date.now() - 90 * day).toISOString(),
        ...properties,
      });
    stalledDeal = deal({ notes_last_contacted: new Date(Date.now() - 40 * day).toISOString() }).id;
    healthyDeal = deal({ dealname: 'Bay Street renewal' }).id;
    // Created in HubSpot's UI (no webhook: the portal is not registered yet) and associated with the deal through the API.
    buyer = hubspot.seedObject(PORTAL, 'contacts', { email: 'dana@harbour-view.example', firstname: 'Dana' }).id;
    buyerCompany = hubspot.seedObject(PORTAL, 'companies', { name: 'Harbour View Holdings' }).id;
    for (const [toType, toId] of [['contacts', buyer], ['companies', buyerCompany]] as const) {
      const associated = await fetch(`${hubspotUrl}/crm/objects/2026-03/deals/${stalledDeal}/associations/default/${toType}/${toId}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` } });
      if (associated.status >= 300) throw new Error(`associating the deal answered ${associated.status}: ${await associated.text()}`);
    }
  });

  afterAll(async () => {
    const codes = await Promise.all(services.map((s) => stopService(s)));
    await hubspot.stop();
    await claude.stop();
    await db.drop();
    if (codes.some((c) => c !== 0)) {
      for (const s of services) process.stdout.write(`--- ${s.name}\n${s.output.slice(-40).join('\n')}\n`);
    }
  });

  const storyOf = async (objectId: string): Promise<StoredEvent[]> => {
    const [received] = await db.dataSource.query(`SELECT correlation_id FROM events WHERE type = 'WebhookEventReceived' AND data->>'objectId' = $1`, [objectId]);
    if (!received) return [];
    const response = await admin(`/admin/stories/${received.correlation_id}`);
    return response.status === 200 ? ((await response.json()) as { events: StoredEvent[] }).events : [];
  };

  it('registers the portal through the admin API', async () => {
    const response = await admin('/admin/portals', { method: 'POST', body: JSON.stringify({ portalId: PORTAL, name: 'Acme Realty', accessToken: TOKEN, hubspot: { tier: 'professional' }, leadRouting: { defaultOwnerId: '77', followUpHours: 4 }, serviceRouting: { defaultOwnerId: '88', slaHours: { LOW: 2, MEDIUM: 2, HIGH: 2, URGENT: 2 } }, review: { dailyAt: '08:00', timeZone: pastEight }, managementAi: { managerOwnerId: '88', reengageWithinHours: 24 } }) });
    expect(response.status).toBe(201);
  });

  it('scores a new contact and writes ai_lead_score, ai_persona and ai_summary back, with the whole story recorded', async () => {
    const contact = await crm.crm.contacts.basicApi.create({
      properties: { email: 'roberta@hamptons-realty.com', firstname: 'Roberta', lastname: 'Mills', phone: '+1 631 555 0134', jobtitle: 'Broker Owner', company: 'Hamptons Realty', message: 'Call me at 631-555-0199 or roberta.mills@gmail.com' },
      associations: [],
    });

    const written = await eventually(async () => {
      const stored = hubspot.getObject(PORTAL, 'contacts', contact.id);
      return stored?.properties.ai_lead_score ? stored : undefined;
    }, 90_000, 'the writeback to reach the sandbox');
    expect(Number(written.properties.ai_lead_score)).toBeGreaterThanOrEqual(0);
    expect(Number(written.properties.ai_lead_score)).toBeLessThanOrEqual(100);
    expect(['decision_maker', 'influencer', 'practitioner', 'researcher', 'unknown']).toContain(written.properties.ai_persona);
    expect(written.properties.ai_summary).toBeTruthy();

    const story = await eventually(async () => {
      const events = await storyOf(contact.id);
      const requested = events.filter((e) => e.type === 'WritebackRequested').length;
      return requested > 0 && events.filter((e) => e.type === 'WritebackApplied').length === requested ? events : undefined;
    }, 30_000, 'the story to complete');
    const types = story.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['WebhookEventReceived', 'ContextFetched', 'DecisionMade']);
    const [received, context, decision] = story as [StoredEvent, StoredEvent, StoredEvent];
    const requests = story.filter((e) => e.type === 'WritebackRequested');
    const calls = story.filter((e) => e.type === 'HubSpotCallCompleted');
    const results = story.filter((e) => e.type === 'WritebackApplied');
    const announced = story.filter((e) => e.type === 'HubSpotCreateSent');
    // Properties, the follow-up task, and the email draft as a note when the model wrote one.
    expect(requests.map((r) => (r.data as { kind: string }).kind).sort()).toEqual(
      (decision.data as { output: { emailDraft?: string } }).output.emailDraft ? ['create-note', 'create-task', 'update-properties'] : ['create-task', 'update-properties'],
    );
    // Each create is announced (HubSpotCreateSent) before it is sent: docs/decisions/0018.
    expect(announced.map((e) => (e.data as { commandId: string }).commandId).sort()).toEqual(requests.filter((r) => (r.data as { kind: string }).kind !== 'update-properties').map((r) => (r.data as { commandId: string }).commandId).sort());
    expect(types.length).toBe(3 + requests.length + announced.length + calls.length + results.length);
    expect(new Set(story.map((e) => e.correlationId))).toEqual(new Set([received.id]));
    expect([context.causationId, decision.causationId]).toEqual([received.id, context.id]);
    expect(requests.every((r) => r.causationId === decision.id)).toBe(true);
    const update = requests.find((r) => (r.data as { kind: string }).kind === 'update-properties')!;
    const applied = results.find((r) => r.causationId === update.id)!;
    const call = calls.find((c) => (c.data as { callId: string }).callId === (applied.data as { callId: string }).callId)!;
    expect(call.data).toMatchObject({ operation: 'update contacts', hubspotStatus: 200, inputs: 1, recordsWritten: 1, commandIds: [(update.data as { commandId: string }).commandId] });

    // The model never saw the contact's email addresses, phone numbers or name: only placeholders and the domain.
    const seen = JSON.stringify(claude.received().map((r) => r.body));
    for (const secret of ['roberta@hamptons-realty.com', 'roberta.mills@gmail.com', '555 0134', '555-0199', 'Roberta', 'Mills']) expect(seen).not.toContain(secret);
    expect(seen).toContain('{{PHONE_');
    expect(seen).toContain('hamptons-realty.com');

    // The follow-up task is the portal's owner's, due by its SLA, associated with the contact.
    const task = hubspot.listObjects(PORTAL, 'tasks').find((t) => t.associations.some((a) => a.toType === 'contacts' && a.toId === contact.id && a.typeId === 204));
    expect(task?.properties).toMatchObject({ hubspot_owner_id: '77', hs_task_status: 'NOT_STARTED' });
    const taskRequest = requests.find((r) => (r.data as { kind: string }).kind === 'create-task')!;
    expect(Date.parse((taskRequest.data as { dueAt: string }).dueAt) - Date.parse(decision.recordedAt)).toBeGreaterThan(3.9 * 3_600_000);

    expect(context.data).toMatchObject({ objectType: 'contacts', objectId: contact.id, hubspotStatus: 200, snapshot: { jobtitle: 'Broker Owner', company: 'Hamptons Realty' } });
    expect(decision.data).toMatchObject({
      provider: 'anthropic',
      prompt: { id: 'lead-scoring', version: 5, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      model: expect.any(String),
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
      // Asked as Claude Sonnet 5.5 accepts: a structured output, adaptive thinking, no forced tool.
      input: { model: 'claude-sonnet-5-5', output_config: { effort: 'medium', format: { type: 'json_schema' } }, thinking: { type: 'adaptive' }, messages: [expect.objectContaining({ role: 'user' })] },
    });
    // What the event store says was sent is exactly what the model received.
    const sent = claude.received().find((r) => r.method === 'POST' && JSON.stringify(r.body).includes(contact.id));
    // At boot the enricher checked the models it uses against the API's list.
    expect(claude.received().some((r) => r.method === 'GET' && r.path === '/v1/models')).toBe(true);
    expect(sent?.body).toEqual((decision.data as { input: unknown }).input);
    expect(applied.data).toMatchObject({ hubspotStatus: 200, recordsWritten: 1, rateLimit: { max: expect.any(Number), remaining: expect.any(Number) } });
    expect((applied.data as { response: { properties: Record<string, string> } }).response.properties.ai_lead_score).toBe(written.properties.ai_lead_score);

    const writes = hubspot.requests().filter((r) => r.method === 'POST' && r.path === '/crm/objects/2026-03/contacts/batch/update' && JSON.stringify(r.body).includes(`"id":"${contact.id}"`));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.token).toBe(TOKEN);
  });

  it('triages a new ticket from its requester, company, history and emails, and writes category, priority, sentiment, draft and SLA task back', async () => {
    const requester = hubspot.seedObject(PORTAL, 'contacts', { firstname: 'Walter', lastname: 'Brandt', email: 'walter@kessler-logistics.com', jobtitle: 'Ops lead' });
    const company = hubspot.seedObject(PORTAL, 'companies', { name: 'Kessler Logistics', domain: 'kessler-logistics.com' });
    const email = hubspot.seedObject(PORTAL, 'emails', { hs_email_direction: 'INCOMING_EMAIL', hs_email_subject: 'Double charge', hs_email_text: 'Walter here. Call me on +49 30 901820 or walter@kessler-logistics.com', hs_timestamp: '2026-11-28T08:00:00.000Z' });
    const ticket = await crm.crm.tickets.basicApi.create({
      properties: { subject: 'Charged twice for November', content: 'Our invoice shows two charges. This is unacceptable.', hs_pipeline: '0', hs_pipeline_stage: '1' },
      associations: [
        { to: { id: requester.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 16 }] },
        { to: { id: company.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 339 }] },
        { to: { id: email.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 223 }] },
      ],
    });

    const written = await eventually(async () => {
      const stored = hubspot.getObject(PORTAL, 'tickets', ticket.id);
      return stored?.properties.ai_category ? stored : undefined;
    }, 90_000, 'the triage to reach the sandbox');
    expect(['billing_issue', 'technical_issue', 'product_question', 'feature_request', 'account_access', 'cancellation', 'other']).toContain(written.properties.ai_category);
    expect(['positive', 'neutral', 'frustrated', 'angry']).toContain(written.properties.ai_sentiment);
    expect(['LOW', 'MEDIUM', 'HIGH', 'URGENT']).toContain(written.properties.hs_ticket_priority);
    expect(written.properties).toMatchObject({ hubspot_owner_id: '88', ai_summary: expect.any(String) });

    const story = await eventually(async () => {
      const events = await storyOf(ticket.id);
      const requested = events.filter((e) => e.type === 'WritebackRequested').length;
      return requested > 0 && events.filter((e) => e.type === 'WritebackApplied').length === requested ? events : undefined;
    }, 30_000, 'the ticket story to complete');
    const context = story.find((e) => e.type === 'ContextFetched')!;
    const decision = story.find((e) => e.type === 'DecisionMade')!;
    // Everything the prompt declared was read, with the real values kept in the audit snapshot.
    expect(context.data).toMatchObject({
      objectType: 'tickets',
      snapshot: { subject: 'Charged twice for November', 'contacts.1.email': 'walter@kessler-logistics.com', 'company.name': 'Kessler Logistics', 'emails.1.hs_email_subject': 'Double charge' },
    });
    expect(decision.data).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-5-5', prompt: { id: 'ticket-triage', version: 2 }, input: { output_config: { effort: 'low', format: { type: 'json_schema' } } } });
    expect(JSON.stringify(decision.data)).not.toContain('tool_choice');
    const sent = JSON.stringify(claude.received().find((r) => r.method === 'POST' && JSON.stringify(r.body).includes('Charged twice for November'))?.body);
    expect(sent).toContain('Kessler Logistics');
    for (const secret of ['walter@kessler-logistics.com', 'Walter', 'Brandt', '901820']) expect(sent).not.toContain(secret);

    // The SLA task is the routed owner's, due by the portal's SLA, on the ticket; a reply draft, when written, is a note on it.
    const task = hubspot.listObjects(PORTAL, 'tasks').find((t) => t.associations.some((a) => a.toType === 'tickets' && a.toId === ticket.id && a.typeId === 230));
    expect(task?.properties).toMatchObject({ hubspot_owner_id: '88', hs_task_subject: expect.stringContaining('within 2 h') });
    // Also on the requester's timeline (Service AI associates with the ticket and its requester).
    expect(task?.associations).toEqual(expect.arrayContaining([expect.objectContaining({ toType: 'contacts', toId: requester.id, typeId: 204 })]));
    const draftWritten = Boolean((decision.data as { output: { replyDraft?: string } }).output.replyDraft);
    const note = hubspot.listObjects(PORTAL, 'notes').find((n) => n.associations.some((a) => a.toType === 'tickets' && a.toId === ticket.id && a.typeId === 228));
    expect(Boolean(note)).toBe(draftWritten);
  });

  it('re-scores a contact when a property the prompt reads changes, moving only its ai_ properties and ignoring its own writebacks', async () => {
    const contact = await crm.crm.contacts.basicApi.create({ properties: { email: 'ian@northwind.example', firstname: 'Ian', jobtitle: 'Intern', company: 'Northwind' }, associations: [] });
    const streamOf = async () =>
      openRows<{ id: string; portal_id: string; type: string; causation_id: string; data: Record<string, unknown> }>(db.dataSource, await db.dataSource.query(`SELECT event_id::text AS id, portal_id, type, causation_id, data FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`crm-${PORTAL}-contacts-${contact.id}`]));
    const settled = (events: Array<{ type: string }>, decisions: number) =>
      events.filter((e) => e.type === 'DecisionMade').length === decisions &&
      events.filter((e) => e.type === 'WritebackRequested').length === events.filter((e) => e.type === 'WritebackApplied').length;
    await eventually(async () => settled(await streamOf(), 1), 90_000, 'the first score');

    await crm.crm.contacts.basicApi.update(contact.id, { properties: { jobtitle: 'Chief Executive Officer' } });
    const events: Array<{ id: string; type: string; causation_id: string; data: Record<string, unknown> }> = await eventually(
      async () => {
        const found = await streamOf();
        return settled(found, 2) ? found : undefined;
      },
      90_000,
      'the re-score',
    );
    const [, rescore] = events.filter((e) => e.type === 'DecisionMade');
    expect(rescore!.data).toMatchObject({ trigger: { type: 'ObjectChanged' }, prompt: { id: 'lead-scoring', version: 5 } });
    // The model is told about the contact as it stands, not that it was just created.
    expect(JSON.stringify(rescore!.data.input)).toContain('as it stands in the CRM now');
    expect(JSON.stringify(rescore!.data.input)).not.toContain('was created');
    const rescoreContext = events.find((e) => e.type === 'ContextFetched' && e.id === rescore!.causation_id)!;
    expect(rescoreContext.data).toMatchObject({ snapshot: { jobtitle: 'Chief Executive Officer' } });
    // Only the ai_ properties move: no second draft, no second task for the owner.
    expect(events.filter((e) => e.type === 'WritebackRequested' && e.causation_id === rescore!.id).map((e) => e.data.kind)).toEqual(['update-properties']);
    const tasks = hubspot.listObjects(PORTAL, 'tasks').filter((t) => t.associations.some((a) => a.toType === 'contacts' && a.toId === contact.id));
    expect(tasks).toHaveLength(1);
    // The platform's own ai_ writes came back as propertyChange webhooks and were recorded as ignored, not acted on.
    const ignored = await db.dataSource.query(`SELECT data FROM events WHERE type = 'WebhookEventIgnored' AND stream_id = $1`, [`crm-${PORTAL}-contacts-${contact.id}`]);
    expect(ignored.length).toBeGreaterThan(0);
    expect(ignored.every((e: { data: { reason: string; hubspot: { propertyName: string } } }) => e.data.reason === 'own-change' && e.data.hubspot.propertyName.startsWith('ai_'))).toBe(true);
    expect(events.filter((e) => e.type === 'DecisionMade')).toHaveLength(2);
  });

  it('replays the portal’s Lead AI decisions with another prompt version, reports what changed, and applies it to HubSpot', async () => {
    const decided: Array<{ event_id: string; stream_id: string }> = await db.dataSource.query(
      `SELECT event_id::text, stream_id FROM events WHERE type = 'DecisionMade' AND portal_id = $1 AND data->'prompt'->>'id' = 'lead-scoring' ORDER BY global_position`,
      [PORTAL],
    );
    // A record's older decisions are superseded by its newest: applying never overwrites that with an answer about older data.
    const newest = new Map(decided.map((d) => [d.stream_id, d.event_id]));
    const superseded = decided.filter((d) => newest.get(d.stream_id) !== d.event_id).map((d) => d.event_id);
    expect(superseded.length).toBeGreaterThan(0);
    const before = claude.received().length;
    const replayedAnswer = { content: [{ type: 'thinking', thinking: '' }, { type: 'text', text: JSON.stringify({ score: 99, persona: 'decision_maker', summary: 'Replayed: {{FIRSTNAME_1}} fits.' }) }] };
    claude.enqueue(...decided.map(() => replayedAnswer));

    const requested = await admin(`/admin/portals/${PORTAL}/replays`, { method: 'POST', body: JSON.stringify({ promptId: 'lead-scoring', promptVersion: 3 }) });
    expect(requested.status).toBe(202);
    const { replayId } = (await requested.json()) as { replayId: string };
    const reportOf = async () => (await (await admin(`/admin/portals/${PORTAL}/replays/${replayId}`)).json()) as Record<string, any>;
    const report = await eventually(async () => {
      const found = await reportOf();
      return found.status === 'completed' ? found : undefined;
    }, 60_000, 'the replay to complete');
    expect(report.totals).toMatchObject({ replayed: decided.length, changed: decided.length, failed: 0 });
    expect(report.decisions.map((d: { decisionId: string }) => d.decisionId).sort()).toEqual(decided.map((d) => d.event_id).sort());
    expect(report.decisions[0]).toMatchObject({ outcome: 'changed', before: { prompt: { version: 5 } }, after: { prompt: { version: 3 }, output: { score: 99 } } });
    // The model was asked with v3's words about the snapshots the decisions saw, with placeholders for names.
    const asked = claude.received().slice(before).map((r) => JSON.stringify(r.body));
    expect(asked).toHaveLength(decided.length);
    expect(asked.every((body) => body.includes('was created in the CRM') && !body.includes('Roberta'))).toBe(true);

    const applied = await admin(`/admin/portals/${PORTAL}/replays/${replayId}/apply`, { method: 'POST', body: '{}' });
    expect(applied.status).toBe(202);
    const roberta = () => hubspot.listObjects(PORTAL, 'contacts').find((c) => c.properties.email === 'roberta@hamptons-realty.com')!;
    const written = await eventually(async () => (roberta().properties.ai_lead_score === '99' ? roberta() : undefined), 60_000, 'the applied replay to reach the sandbox');
    expect(written.properties).toMatchObject({ ai_persona: 'decision_maker', ai_summary: 'Replayed: Roberta fits.' });
    const after = await eventually(async () => {
      const found = await reportOf();
      return found.applies[0]?.status === 'applied' ? found : undefined;
    }, 30_000, 'the apply to be reported');
    expect(after.applies[0].applied.map((a: { decisionId: string }) => a.decisionId).sort()).toEqual([...newest.values()].sort());
    expect(after.applies[0].skipped.map((a: { decisionId: string }) => a.decisionId).sort()).toEqual(superseded.sort());
    expect(after.applies[0].skipped.every((a: { reason: string }) => a.reason.includes('the record was decided again since'))).toBe(true);
    // Applied as re-decisions: properties only, no second follow-up task.
    expect(hubspot.listObjects(PORTAL, 'tasks').filter((t) => t.associations.some((a) => a.toType === 'contacts' && a.toId === written.id))).toHaveLength(1);
  });

  it('rides out a HubSpot outage: the read is retried and the writeback still lands', async () => {
    hubspot.injectFaults(PORTAL, [{ status: 503, count: 2 }]);
    // Created in HubSpot's UI (not through the API), so the faults hit the enricher's read.
    const contact = hubspot.seedObject(PORTAL, 'contacts', { email: 'ops@outage.io', jobtitle: 'Engineer' }, { fireWebhooks: true });
    await eventually(async () => hubspot.getObject(PORTAL, 'contacts', contact.id)?.properties.ai_lead_score, 90_000, 'the writeback after the outage');
    expect(hubspot.requests().filter((r) => r.outcome === 'fault')).toHaveLength(2);
  });

  it('records webhooks of an unregistered portal without processing them', async () => {
    hubspot.addPortal({ portalId: 777, accessToken: 'pat-unregistered' });
    hubspot.seedObject(777, 'contacts', { email: 'x@y.io' }, { id: '9', fireWebhooks: true });
    const [ignored] = await eventually(
      async () => {
        const rows = await db.dataSource.query(`SELECT data FROM events WHERE type = 'WebhookEventIgnored' AND portal_id = 777`);
        return rows.length > 0 ? rows : undefined;
      },
      30_000,
      'the ignored webhook',
    );
    expect(ignored.data.reason).toBe('portal-not-registered');
    expect(hubspot.requests().filter((r) => r.portalId === 777)).toHaveLength(0);
  });

  it('runs the morning review at the portal’s local 08:00: the stalled deal assessed, its properties, task and note written, the digests recorded and delivered', async () => {
    const [scheduled] = await eventually(async () => {
      const found = await db.dataSource.query(`SELECT event_id, type, data FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`schedule-${PORTAL}`]);
      return found.length >= 1 ? found : undefined;
    }, 30_000, 'the daily trigger');
    expect(scheduled).toMatchObject({ type: 'DailyReviewScheduled', data: { dailyAt: '08:00', timeZone: pastEight } });
    const reviewStream = `review-${PORTAL}-${scheduled.data.date}`;
    const types = await eventually(async () => {
      const found: Array<{ type: string }> = await db.dataSource.query(`SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version`, [reviewStream]);
      return found.some((e) => e.type === 'PipelineDigestComposed') ? found.map((e) => e.type) : undefined;
    }, 90_000, 'the review’s digest');
    // The digest tasks' commands are recorded with the digest, on the review's stream.
    expect(types).toEqual(['PipelineReviewFactsComputed', 'DealReviewRequested', 'PipelineDigestRequested', 'PipelineDigestComposed', 'WritebackRequested', 'WritebackRequested']);
    const [facts] = await db.dataSource.query(`SELECT causation_id, data FROM events WHERE stream_id = $1 AND type = 'PipelineReviewFactsComputed'`, [reviewStream]);
    expect(facts.causation_id).toBe(scheduled.event_id);
    expect(facts.data).toMatchObject({ counts: { openDeals: 2, needingAttention: 1 }, assessments: { requested: 1, unchanged: 0 } });
    expect(facts.data.needingAttention).toEqual([expect.objectContaining({ dealId: stalledDeal, reasons: ['stale'], ownerId: '77' })]);

    // The stalled deal: its AI properties, a re-engagement task for its owner and a note, on its buyer and company too.
    const assessed = await eventually(async () => {
      const stored = hubspot.getObject(PORTAL, 'deals', stalledDeal);
      return stored?.properties.ai_health_score ? stored : undefined;
    }, 60_000, 'the deal’s assessment in HubSpot');
    expect(Number(assessed.properties.ai_health_score)).toBeGreaterThanOrEqual(0);
    expect(assessed.properties).toMatchObject({ ai_attention_flag: expect.stringMatching(/^(true|false)$/), ai_next_step: expect.any(String), ai_summary: expect.any(String) });
    const onDeal = (type: 'tasks' | 'notes') => hubspot.listObjects(PORTAL, type).filter((o) => o.associations.some((a) => a.toType === 'deals' && a.toId === stalledDeal));
    const [task] = await eventually(async () => (onDeal('tasks').some((t) => /Re-engage/.test(t.properties.hs_task_subject ?? '')) ? onDeal('tasks') : undefined), 60_000, 'the re-engagement task');
    const reengage = onDeal('tasks').find((t) => /Re-engage/.test(t.properties.hs_task_subject ?? ''))!;
    expect(task).toBeDefined();
    expect(reengage.properties.hubspot_owner_id).toBe('77');
    expect(reengage.associations).toEqual(expect.arrayContaining([expect.objectContaining({ toType: 'contacts', toId: buyer }), expect.objectContaining({ toType: 'companies', toId: buyerCompany })]));
    const [note] = await eventually(async () => (onDeal('notes').length > 0 ? onDeal('notes') : undefined), 60_000, 'the review note');
    expect(note!.properties.hs_note_body).toContain('AI pipeline review');
    // The healthy deal needed nothing: no model call, no writeback.
    expect(hubspot.getObject(PORTAL, 'deals', healthyDeal)!.properties.ai_health_score).toBeUndefined();

    // The digests: readable in the admin API, and delivered as HubSpot tasks to the owner and the manager.
    const digests = await admin(`/admin/portals/${PORTAL}/digests?date=${scheduled.data.date}`);
    expect(digests.status).toBe(200);
    const body = JSON.stringify(await digests.json());
    expect(body).toContain(stalledDeal);
    const digestTasks = await eventually(async () => {
      const found = hubspot.listObjects(PORTAL, 'tasks').filter((t) => ['77', '88'].includes(t.properties.hubspot_owner_id ?? '') && /^Pipeline review/.test(t.properties.hs_task_subject ?? ''));
      return found.length >= 2 ? found : undefined;
    }, 60_000, 'the digest tasks');
    expect(digestTasks.map((t) => t.properties.hubspot_owner_id).sort()).toEqual(['77', '88']);
    // The skip it replaced is gone.
    const skipped = await db.dataSource.query(`SELECT 1 FROM events WHERE type = 'TriggerSkipped' AND data->'trigger'->>'eventId' = $1`, [scheduled.event_id]);
    expect(skipped).toHaveLength(0);
  });

  it('shuts every service down cleanly on SIGTERM', async () => {
    const codes = await Promise.all(services.splice(0).map((s) => stopService(s)));
    expect(codes).toEqual([0, 0, 0, 0]);
  });
});
