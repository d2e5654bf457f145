import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BudgetRepository, EventStore, HubSpotBudget, OperatorAlerts, PortalRepository, startStory, TokenCipher } from '@app/common';
import { memoryLogger } from '../../../../test/support/logger';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { TEST_ADMIN_KEY, TEST_TOKEN_KEY, testConfig } from '../../../../test/support/platform';
import { adminDependencies, startAdminApp } from '../../../../test/support/admin';
import { HubSpotSandbox } from '../../../../sandbox/hubspot';

describe('admin API (real Postgres)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let portals: PortalRepository;
  // HubSpot, for the routing owner check: portals 136 and 137 name owners it has.
  const hubspot = new HubSpotSandbox();
  const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    db = await createTestDatabase('admin');
    const { url: hubspotUrl } = await hubspot.start();
    hubspot.addPortal({ portalId: 136, accessToken: 't-136' });
    for (const id of ['11', '12', '13']) hubspot.addOwner(136, { id, email: `owner-${id}@routed.example` });
    hubspot.addPortal({ portalId: 137, accessToken: 't-137' });
    hubspot.addOwner(137, { id: '21', email: 'support@support.example' });
    // Every registration asks HubSpot about its token first (portal, scopes, account).
    hubspot.addPortal({ portalId: 123, accessToken: 'pat-na1-very-secret', timeZone: 'Europe/Berlin', currency: 'EUR', dataHostingLocation: 'eu1' });
    for (const id of [124, 125, 131, 132, 134, 135, 138, 139]) hubspot.addPortal({ portalId: id, accessToken: `t-${id}` });
    for (const id of [130, 133]) hubspot.addPortal({ portalId: id, accessToken: `t-${id}`, tier: 'professional' });
    const config = testConfig('ingest', db.url, 'unused', { HUBSPOT_API_BASE_URL: hubspotUrl });
    portals = new PortalRepository(db.dataSource, new TokenCipher(config.tokenEncryptionKey!));
    ({ app, url } = await startAdminApp(adminDependencies(db, config, portals)));
  });
  afterAll(async () => {
    await app.close();
    await hubspot.stop();
    await db.drop();
  });

  const post = (body: unknown, headers: Record<string, string> = auth) => fetch(`${url}/admin/portals`, { method: 'POST', headers, body: JSON.stringify(body) });
  const patch = (portalId: number, body: unknown) => fetch(`${url}/admin/portals/${portalId}`, { method: 'PATCH', headers: auth, body: JSON.stringify(body) });
  const get = async (path: string) => {
    const response = await fetch(`${url}/admin/portals/${path}`, { headers: auth });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('registers a portal (201), keeps its token encrypted at rest and never returns it', async () => {
    const response = await post({ portalId: 123, name: 'Acme Realty', accessToken: 'pat-na1-very-secret' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ portalId: 123, name: 'Acme Realty', status: 'active' });
    expect(JSON.stringify(body)).not.toContain('pat-na1');

    expect(body).toMatchObject({
      account: { timeZone: 'Europe/Berlin', currency: 'EUR', dataHostingLocation: 'eu1' },
      connection: { mode: 'token', capabilities: { enabled: ['lead-ai', 'service-ai', 'management-ai'], blocked: [] } },
      onboarding: { kind: 'registered', mode: 'token', subscriptions: expect.arrayContaining([expect.objectContaining({ capability: 'lead-ai', subscriptionType: 'contact.creation' })]) },
    });
    const [row] = await db.dataSource.query('SELECT access_token_encrypted FROM portal_credentials WHERE portal_id = 123');
    expect(row.access_token_encrypted).not.toContain('pat-na1');
    expect(new TokenCipher(Buffer.from(TEST_TOKEN_KEY, 'base64')).decrypt(row.access_token_encrypted, 123)).toBe('pat-na1-very-secret');

    const fetched = await fetch(`${url}/admin/portals/123`, { headers: auth });
    expect(fetched.status).toBe(200);
    const portal = (await fetched.json()) as Record<string, unknown>;
    expect(portal).toMatchObject({ portalId: 123, name: 'Acme Realty' });
    expect(Object.keys(portal)).not.toContain('accessToken');
    expect(JSON.stringify(portal)).not.toMatch(/pat-na1|v1:/);

    const recorded = await db.dataSource.query(`SELECT type FROM events WHERE stream_id = 'portal-123' ORDER BY global_position`);
    expect(recorded.map((r: { type: string }) => r.type)).toEqual(['PortalRegistered', 'PortalConnected', 'PortalAccountRead', 'PropertiesBootstrapped']);
  });

  it('answers 409 when the portal exists', async () => {
    await post({ portalId: 124, name: 'One', accessToken: 't-124' });
    const again = await post({ portalId: 124, name: 'Two', accessToken: 't2' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toBe('portal 124 is already registered');
  });

  it('two registrations of the same portal at once: one 201, one 409, one PortalRegistered', async () => {
    hubspot.addPortal({ portalId: 148, accessToken: 't-148' });
    const answers = await Promise.all([post({ portalId: 148, name: 'First', accessToken: 't-148' }), post({ portalId: 148, name: 'Second', accessToken: 't-148' })]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    const registered = await db.dataSource.query(`SELECT data->>'name' AS name FROM events WHERE stream_id = 'portal-148' AND type = 'PortalRegistered'`);
    expect(registered).toHaveLength(1);
    expect((await get('148')).body.name).toBe(registered[0].name);
  });

  it('answers 400 with every reason for bad input', async () => {
    const response = await post({ portalId: 'abc', name: '', extra: true });
    expect(response.status).toBe(400);
    const { message } = (await response.json()) as { message: string[] };
    expect(message).toEqual(expect.arrayContaining([
      'portalId must be an integer (the HubSpot hub id)',
      'name should not be empty',
      "accessToken is required (the private app's access token; OAuth portals connect through GET /oauth/install)",
      'property extra should not exist',
    ]));
  });

  it('updates enabled subscriptions and the workflow key; the key is stored only as a hash and never shown', async () => {
    await post({ portalId: 125, name: 'Settings Co', accessToken: 't-125' });
    const response = await fetch(`${url}/admin/portals/125`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ enabledSubscriptions: ['contact.creation', 'ticket.creation'], workflowApiKey: 'a-long-workflow-key-0123456789', status: 'paused' }),
    });
    expect(response.status).toBe(200);
    const portal = (await response.json()) as { status: string; settings: Record<string, unknown> };
    expect(portal).toMatchObject({ status: 'paused', settings: { enabledSubscriptions: ['contact.creation', 'ticket.creation'], workflowApiKeySet: true } });
    expect(JSON.stringify(portal)).not.toContain('a-long-workflow-key');
    const [row] = await db.dataSource.query(`SELECT settings FROM portals WHERE portal_id = 125`);
    expect(row.settings.workflowApiKeySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row.settings)).not.toContain('a-long-workflow-key');

    const invalid = await fetch(`${url}/admin/portals/125`, { method: 'PATCH', headers: auth, body: JSON.stringify({ enabledSubscriptions: ['bad type'], status: 'gone', workflowApiKey: 'short' }) });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { message: string[] }).message).toEqual(expect.arrayContaining([
      'each enabled subscription must look like contact.creation',
      'workflowApiKey must be at least 24 characters',
    ]));
    expect((await fetch(`${url}/admin/portals/999/`, { method: 'PATCH', headers: auth, body: '{}' })).status).toBe(404);
  });

  it('registers a portal with its HubSpot plan and PATCH merges a change into it', async () => {
    const response = await post({ portalId: 130, name: 'Planned', accessToken: 't-130', hubspot: { tier: 'professional', appType: 'private' } });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ settings: { hubspot: { tier: 'professional', appType: 'private' } } });

    const patched = await patch(130, { hubspot: { apiLimitIncrease: true, headroom: 0.2 } });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { settings: unknown }).settings).toMatchObject({ hubspot: { tier: 'professional', appType: 'private', apiLimitIncrease: true, headroom: 0.2 } });
    const [row] = await db.dataSource.query(`SELECT settings FROM portals WHERE portal_id = 130`);
    expect(row.settings.hubspot).toEqual({ tier: 'professional', appType: 'private', apiLimitIncrease: true, headroom: 0.2 });
  });

  it('answers 400 for a bad plan, naming the field', async () => {
    const bad = await post({ portalId: 131, name: 'Bad plan', accessToken: 't-131', hubspot: { tier: 'gold', appType: 'oauth', apiLimitIncrease: 'yes', headroom: 0.95, extra: 1 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string[] }).message).toEqual(expect.arrayContaining([
      'hubspot.tier must be one of free, starter, professional, enterprise',
      'hubspot.appType must be one of private, public',
      'hubspot.apiLimitIncrease must be true or false',
      'hubspot.headroom must be a number from 0 to 0.9 (the share left to other integrations)',
      'hubspot.property extra should not exist',
    ]));
    expect((await get('131')).status).toBe(404);

    await post({ portalId: 132, name: 'Patched badly', accessToken: 't-132' });
    const negative = await patch(132, { hubspot: { headroom: -0.1 } });
    expect(negative.status).toBe(400);
    expect(((await negative.json()) as { message: string[] }).message).toEqual(['hubspot.headroom must be a number from 0 to 0.9 (the share left to other integrations)']);
    const notAnObject = await patch(132, { hubspot: 'professional', clearAlerts: 'yes' });
    expect(notAnObject.status).toBe(400);
    expect(((await notAnObject.json()) as { message: string[] }).message).toEqual(expect.arrayContaining([
      'hubspot must be an object like { "tier": "professional", "appType": "private" }',
      'clearAlerts must be true or false',
    ]));
  });

  it('shows the budget: the plan’s limits, the platform’s share after headroom, and the stored state once HubSpot was called', async () => {
    await post({ portalId: 133, name: 'Budgeted', accessToken: 't-133', hubspot: { tier: 'professional', appType: 'private' } });
    // Onboarding asked HubSpot about the token and created the capabilities' properties, inside the budget.
    const before = await get('133/budget');
    expect(before).toEqual({
      status: 200,
      body: {
        portalId: 133,
        plan: { tier: 'professional', appType: 'private' },
        limits: { perTenSeconds: 190, daily: 625_000, searchPerSecond: 5 },
        // HUBSPOT_BUDGET_HEADROOM's default of 10%.
        budget: { headroom: 0.1, perTenSeconds: 171, searchPerSecond: 4, daily: 562_500 },
        state: expect.objectContaining({ dayCount: expect.any(Number), observedMax: 190 }),
      },
    });
    const onboardingCalls = (before.body.state as { dayCount: number }).dayCount;
    expect(onboardingCalls).toBeGreaterThan(2);

    // The writer takes a call from the shared budget in Postgres.
    const writer = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1);
    // (acquireWithin: onboarding's burst may have emptied the smoothed bucket for a moment.)
    expect((await writer.acquireWithin({ portalId: 133, plan: { tier: 'professional', appType: 'private' } }, 5_000)).granted).toBe(true);
    const after = await get('133/budget');
    expect(after.body.state).toMatchObject({ dayCount: onboardingCalls + 1, standard: { tokens: expect.any(Number) } });

    await patch(133, { hubspot: { headroom: 0.5 } });
    expect((await get('133/budget')).body.budget).toEqual({ headroom: 0.5, perTenSeconds: 95, searchPerSecond: 2, daily: 312_500 });

    await post({ portalId: 134, name: 'No plan', accessToken: 't-134' });
    expect((await get('134/budget')).body).toMatchObject({ plan: {}, limits: { perTenSeconds: 100, daily: 250_000 }, budget: { perTenSeconds: 90 } });
    expect((await get('999/budget')).status).toBe(404);
  });

  it('shows a portal’s alerts; status active keeps them, clearAlerts removes them', async () => {
    await post({ portalId: 135, name: 'Alerted', accessToken: 't-135' });
    expect((await get('135')).body.alerts).toEqual({});
    await new OperatorAlerts(new EventStore(db.dataSource), memoryLogger().logger, () => new Date('2026-11-28T10:00:00Z')).raise(undefined, 135, { alert: 'access-revoked', message: 'HubSpot answered 401', hubspotStatus: 401, pause: true });

    const alerted = await get('135');
    expect(alerted.body).toMatchObject({ status: 'paused', alerts: { 'access-revoked': { message: 'HubSpot answered 401', raisedAt: '2026-11-28T10:00:00.000Z' } } });

    const resumed = await patch(135, { status: 'active' });
    expect(await resumed.json()).toMatchObject({ status: 'active', alerts: { 'access-revoked': { message: 'HubSpot answered 401' } } });

    hubspot.addPortal({ portalId: 135, accessToken: 'pat-rotated' });
    const cleared = await patch(135, { clearAlerts: true, accessToken: 'pat-rotated' });
    expect(cleared.status).toBe(200);
    const body = await cleared.json();
    expect(body).toMatchObject({ status: 'active', alerts: {} });
    expect(JSON.stringify(body)).not.toContain('pat-rotated');
    expect((await get('135')).body.alerts).toEqual({});
    expect(await portals.accessToken(135)).toBe('pat-rotated');
    expect((await patch(135, { accessToken: '' })).status).toBe(400);
  });

  it('stores lead routing and privacy settings, and names what is wrong with them', async () => {
    const created = await post({ portalId: 136, name: 'Routed', accessToken: 't-136', leadRouting: { defaultOwnerId: '11', rules: [{ minScore: 80, persona: 'decision_maker', ownerId: '12' }], followUpHours: 4 } });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { settings: Record<string, unknown> }).settings.leadRouting).toEqual({ defaultOwnerId: '11', rules: [{ minScore: 80, persona: 'decision_maker', ownerId: '12' }], followUpHours: 4 });
    const updated = await patch(136, { privacy: { forbiddenFields: ['message'] }, promptVersions: { 'lead-scoring': 1 } });
    expect(((await updated.json()) as { settings: Record<string, unknown> }).settings).toMatchObject({ privacy: { forbiddenFields: ['message'] }, promptVersions: { 'lead-scoring': 1 }, leadRouting: { defaultOwnerId: '11' } });
    const badPin = await patch(136, { promptVersions: { 'lead-scoring': 'latest' } });
    expect(badPin.status).toBe(400);
    expect(JSON.stringify(await badPin.json())).toContain('promptVersions must map prompt ids to versions');
    const bad = await patch(136, { leadRouting: { defaultOwnerId: 'bob', rules: [{ persona: 'ceo', ownerId: '1' }], followUpHours: 0 } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/defaultOwnerId must be a HubSpot owner id[\s\S]*persona must be one of/);
  });

  it('stores the portal’s AI limits and names what is wrong with them', async () => {
    const created = await post({ portalId: 139, name: 'Capped', accessToken: 't-139', aiLimits: { changeDecisionsPerRecordPerDay: 2 } });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { settings: Record<string, unknown> }).settings.aiLimits).toEqual({ changeDecisionsPerRecordPerDay: 2 });
    const updated = await patch(139, { aiLimits: { changeDecisionsPerRecordPerDay: 0 } });
    expect(((await updated.json()) as { settings: Record<string, unknown> }).settings.aiLimits).toEqual({ changeDecisionsPerRecordPerDay: 0 });
    for (const wrong of [-1, 2.5, 1001, '5']) {
      const bad = await patch(139, { aiLimits: { changeDecisionsPerRecordPerDay: wrong } });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain('changeDecisionsPerRecordPerDay must be a whole number from 0 to 1000');
    }
    const labelled = await patch(139, { associationLabels: { notes: { contacts: 'AI insight' } } });
    expect(((await labelled.json()) as { settings: Record<string, unknown> }).settings.associationLabels).toEqual({ notes: { contacts: 'AI insight' } });
    for (const wrong of [{ emails: { contacts: 'x' } }, { notes: { owners: 'x' } }, { notes: { contacts: '' } }, 'AI insight']) {
      const bad = await patch(139, { associationLabels: wrong });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain('associationLabels must map notes or tasks');
    }
    const notObject = await patch(139, { aiLimits: 5 });
    expect(notObject.status).toBe(400);
    expect(JSON.stringify(await notObject.json())).toContain('aiLimits must be an object');
  });

  it('stores ticket routing and response SLAs, and names what is wrong with them', async () => {
    await post({ portalId: 137, name: 'Support', accessToken: 't-137' });
    const serviceRouting = { defaultOwnerId: '21', rules: [{ category: 'billing_issue', minPriority: 'HIGH', teamId: '3' }], slaHours: { URGENT: 0.5, LOW: 48 } };
    const updated = await patch(137, { serviceRouting });
    expect(updated.status).toBe(200);
    expect(((await updated.json()) as { settings: Record<string, unknown> }).settings.serviceRouting).toEqual(serviceRouting);
    const bad = await patch(137, { serviceRouting: { rules: [{ category: 'refunds', minPriority: 'CRITICAL', ownerId: 'x' }], slaHours: { HIGH: 0 } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/category must be one of billing_issue[\s\S]*minPriority must be one of LOW, MEDIUM, HIGH, URGENT[\s\S]*ownerId must be a HubSpot owner id[\s\S]*slaHours\.HIGH must be a number of hours/);
  });

  it('reports model tokens (thinking among them), estimated cost, reused decisions, paid-for failed answers and replays per portal per UTC day and model', async () => {
    expect((await post({ portalId: 138, name: 'Costly', accessToken: 't-138' })).status).toBe(201);
    const store = new EventStore(db.dataSource);
    const prompt = (id: string) => ({ id, version: 1, hash: 'h' });
    const decision = (at: string, costUsd: number | null, portalId = 138) =>
      startStory({ type: 'DecisionMade', portalId, id: randomUUID(), data: { prompt: prompt(costUsd === null ? 'deal-health' : 'lead-scoring'), model: 'claude-sonnet-5-5', usage: { inputTokens: 1000, outputTokens: 100, cacheReadInputTokens: 500, cacheCreationInputTokens: 0, thinkingTokens: 40 }, costUsd } as never }, new Date(at));
    for (const [at, cost, portal] of [['2026-11-01T10:00:00Z', 0.01, 138], ['2026-11-01T23:59:00Z', 0.02, 138], ['2026-11-02T00:01:00Z', null, 138], ['2026-11-01T12:00:00Z', 5, 999]] as const) {
      await store.append({ streamId: `costs-${randomUUID()}`, events: [decision(at, cost, portal)] });
    }
    const reused = startStory({ type: 'DecisionMade', portalId: 138, id: randomUUID(), data: { prompt: prompt('deal-health'), model: 'claude-sonnet-5-5', usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 }, costUsd: 0, reusedFrom: { decisionId: randomUUID() } } as never }, new Date('2026-11-02T08:00:00Z'));
    await store.append({ streamId: `costs-${randomUUID()}`, events: [reused] });
    const failed = startStory({ type: 'DecisionFailed', portalId: 138, id: randomUUID(), data: { prompt: prompt('deal-health'), model: 'claude-haiku-5-5', usage: { inputTokens: 300, outputTokens: 50, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 }, costUsd: 0.004 } as never }, new Date('2026-11-02T09:00:00Z'));
    await store.append({ streamId: `costs-${randomUUID()}`, events: [failed] });
    const replayed = startStory({ type: 'DecisionReplayed', portalId: 138, id: randomUUID(), data: { model: 'claude-sonnet-5-5', usage: { inputTokens: 200, outputTokens: 20, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 }, costUsd: 0.002 } as never }, new Date('2026-11-02T10:00:00Z'));
    const replayFailed = startStory({ type: 'DecisionReplayFailed', portalId: 138, id: randomUUID(), data: { model: 'claude-sonnet-5-5', usage: { inputTokens: 100, outputTokens: 10, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 }, costUsd: 0.001 } as never }, new Date('2026-11-02T11:00:00Z'));
    const replayReused = startStory({ type: 'DecisionReplayed', portalId: 138, id: randomUUID(), data: { model: 'claude-sonnet-5-5', usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 }, costUsd: 0, reusedFrom: { decisionId: replayed.id } } as never }, new Date('2026-11-02T10:01:00Z'));
    await store.append({ streamId: `costs-${randomUUID()}`, events: [replayed, replayFailed, replayReused] });
    const report = await get('138/costs?from=2026-11-01&to=2026-11-02');
    expect(report.status).toBe(200);
    expect(report.body).toEqual({
      portalId: 138,
      from: '2026-11-01',
      to: '2026-11-02',
      totalCostUsd: 0.037,
      days: [
        { day: '2026-11-01', model: 'claude-sonnet-5-5', decisions: 2, inputTokens: 2000, outputTokens: 200, thinkingTokens: 80, cacheReadInputTokens: 1000, cacheCreationInputTokens: 0, costUsd: 0.03, unpriced: 0, reused: 0, failed: 0, replayed: 0 },
        { day: '2026-11-02', model: 'claude-haiku-5-5', decisions: 0, inputTokens: 300, outputTokens: 50, thinkingTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, costUsd: 0.004, unpriced: 0, reused: 0, failed: 1, replayed: 0 },
        { day: '2026-11-02', model: 'claude-sonnet-5-5', decisions: 2, inputTokens: 1300, outputTokens: 130, thinkingTokens: 40, cacheReadInputTokens: 500, cacheCreationInputTokens: 0, costUsd: 0.003, unpriced: 1, reused: 1, failed: 0, replayed: 3 },
      ],
      // Each capability's share: the daily review's (deal-health) is the failed answer it paid for; replays recorded without a prompt are 'unknown'.
      byPrompt: [
        { promptId: 'deal-health', capability: 'management-ai', calls: 3, reused: 1, costUsd: 0.004, share: 0.1081 },
        { promptId: 'lead-scoring', capability: 'lead-ai', calls: 2, reused: 0, costUsd: 0.03, share: 0.8108 },
        { promptId: 'unknown', capability: null, calls: 3, reused: 0, costUsd: 0.003, share: 0.0811 },
      ],
    });
    expect((await get('138/costs?from=November')).body).toMatchObject({ statusCode: 400, message: 'from must be a date like 2026-11-28' });
    expect((await get('999999/costs')).status).toBe(404);
  });

  describe('routing owners, checked in HubSpot with the portal’s token', () => {
    type Json = Record<string, any>;
    const asked = (portalId: number) => hubspot.requests().filter((r) => r.portalId === portalId && r.path.startsWith('/crm/owners/2026-03/'));

    it('accepts owners the portal has, asking HubSpot once per distinct owner, within the portal’s budget', async () => {
      hubspot.addPortal({ portalId: 140, accessToken: 't-140' });
      for (const id of ['41', '42']) hubspot.addOwner(140, { id, email: `o${id}@owned.example` });
      const onboarded = hubspot.requests().length;
      const created = await post({ portalId: 140, name: 'Owned', accessToken: 't-140', leadRouting: { defaultOwnerId: '41', rules: [{ minScore: 50, ownerId: '42' }, { minScore: 10, ownerId: '41' }] }, serviceRouting: { defaultOwnerId: '42' } });
      expect(created.status).toBe(201);
      const body = (await created.json()) as Json;
      expect(body).toMatchObject({ settings: { leadRouting: { defaultOwnerId: '41' }, serviceRouting: { defaultOwnerId: '42' } } });
      expect(body.warnings).toBeUndefined();
      expect(asked(140).map((r) => `${r.path}${r.query}`)).toEqual(['/crm/owners/2026-03/41', '/crm/owners/2026-03/42']);
      expect(asked(140).every((r) => r.token === 't-140' && r.status === 200)).toBe(true);
      // Every call of the registration (token info, account, usage, owners, properties) counted once in the portal's budget.
      expect((await get('140/budget')).body.state).toMatchObject({ dayCount: hubspot.requests().length - onboarded });
    });

    it('refuses on PATCH an owner id HubSpot does not have, naming it and each setting that names it, and stores nothing', async () => {
      hubspot.addPortal({ portalId: 141, accessToken: 't-141' });
      hubspot.addOwner(141, { id: '51', email: 'a@typo.example' });
      expect((await post({ portalId: 141, name: 'Typo', accessToken: 't-141', leadRouting: { defaultOwnerId: '51' } })).status).toBe(201);
      const refused = await patch(141, { name: 'Renamed', leadRouting: { defaultOwnerId: '51', rules: [{ minScore: 80, ownerId: '51' }, { minScore: 50, ownerId: '999' }] }, serviceRouting: { defaultOwnerId: '999' } });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: ['leadRouting.rules[1].ownerId: owner 999 does not exist in HubSpot portal 141', 'serviceRouting.defaultOwnerId: owner 999 does not exist in HubSpot portal 141'],
      });
      // Asked again with archived=true, to tell an unknown owner from a deactivated one.
      expect(asked(141).filter((r) => r.path.endsWith('/999')).map((r) => r.query)).toEqual(['', '?archived=true']);
      const stored = (await get('141')).body as Json;
      expect(stored).toMatchObject({ name: 'Typo', settings: { leadRouting: { defaultOwnerId: '51' } } });
      expect(stored.settings.serviceRouting).toBeUndefined();
    });

    it('refuses a deactivated owner, on register and on PATCH', async () => {
      hubspot.addPortal({ portalId: 142, accessToken: 't-142' });
      hubspot.addOwner(142, { id: '61', email: 'left@churn.example' });
      hubspot.addOwner(142, { id: '62', email: 'stays@churn.example' });
      hubspot.archiveOwner(142, '61');
      const registered = await post({ portalId: 142, name: 'Churned', accessToken: 't-142', serviceRouting: { defaultOwnerId: '61' } });
      expect(registered.status).toBe(400);
      expect(((await registered.json()) as Json).message).toEqual(['serviceRouting.defaultOwnerId: owner 61 is deactivated in HubSpot portal 142 (its user was removed); choose an active owner']);
      expect((await get('142')).status).toBe(404);

      expect((await post({ portalId: 142, name: 'Churned', accessToken: 't-142', serviceRouting: { defaultOwnerId: '62' } })).status).toBe(201);
      hubspot.archiveOwner(142, '62');
      const patched = await patch(142, { leadRouting: { defaultOwnerId: '62' } });
      expect(patched.status).toBe(400);
      expect(((await patched.json()) as Json).message).toEqual([expect.stringContaining('leadRouting.defaultOwnerId: owner 62 is deactivated in HubSpot portal 142')]);
    });

    it('saves with a warning when the token may not read owners (403 MISSING_SCOPES)', async () => {
      hubspot.addPortal({ portalId: 143, accessToken: 't-143', scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write'] });
      const created = await post({ portalId: 143, name: 'Narrow token', accessToken: 't-143', leadRouting: { defaultOwnerId: '71' } });
      expect(created.status).toBe(201);
      const body = (await created.json()) as Json;
      expect(body.settings.leadRouting).toEqual({ defaultOwnerId: '71' });
      expect(body.warnings).toEqual([
        expect.stringMatching(/^routing owner ids were not checked: .*HubSpot 403.*grant the crm\.objects\.owners\.read scope/),
        expect.stringMatching(/^lead-ai stays off: the token lacks the scopes crm\.objects\.companies\.read, .*crm\.objects\.owners\.read/),
        expect.stringMatching(/^service-ai stays off: the token lacks the scopes tickets or crm\.objects\.tickets\.read/),
        expect.stringMatching(/^management-ai stays off: the token lacks the scopes crm\.objects\.deals\.read, /),
      ]);
      expect(body.connection).toMatchObject({ capabilities: { enabled: [] } });
      const patched = await patch(143, { serviceRouting: { defaultOwnerId: '72' } });
      expect(patched.status).toBe(200);
      expect(((await patched.json()) as Json).warnings).toHaveLength(1);
      expect((await get('143')).body).toMatchObject({ settings: { leadRouting: { defaultOwnerId: '71' }, serviceRouting: { defaultOwnerId: '72' } } });
      expect((await get('143')).body.warnings).toBeUndefined();
    });

    it('refuses, storing nothing, when HubSpot refuses the token (422) or cannot answer (503)', async () => {
      const unknownToken = await post({ portalId: 144, name: 'Bad token', accessToken: 'pat-hubspot-does-not-know', leadRouting: { defaultOwnerId: '81' } });
      expect(unknownToken.status).toBe(422);
      expect(((await unknownToken.json()) as Json).message).toEqual([expect.stringMatching(/^HubSpot refused the access token while reading the token \(private app token info\) \(HubSpot 401.*nothing was saved/)]);
      expect((await get('144')).status).toBe(404);

      hubspot.addPortal({ portalId: 145, accessToken: 't-145' });
      hubspot.addOwner(145, { id: '91', email: 'x@flaky.example' });
      expect((await post({ portalId: 145, name: 'Flaky', accessToken: 't-145' })).status).toBe(201);
      hubspot.injectFaults(145, [{ status: 502 }]);
      const down = await patch(145, { leadRouting: { defaultOwnerId: '91' } });
      expect(down.status).toBe(503);
      expect(((await down.json()) as Json).message).toEqual([expect.stringMatching(/could not check the routing owner ids with HubSpot portal 145 \(HubSpot 502.*retry later/)]);
      expect(((await get('145')).body as Json).settings.leadRouting).toBeUndefined();
      expect((await patch(145, { leadRouting: { defaultOwnerId: '91' } })).status).toBe(200);
    });

    it('checks with the token PATCH sends, else the stored one', async () => {
      hubspot.addPortal({ portalId: 146, accessToken: 't-146-old' });
      hubspot.addOwner(146, { id: '95', email: 'x@rotating.example' });
      hubspot.addOwner(146, { id: '96', email: 'y@rotating.example' });
      expect((await post({ portalId: 146, name: 'Rotating', accessToken: 't-146-old' })).status).toBe(201);
      expect((await patch(146, { leadRouting: { defaultOwnerId: '95' } })).status).toBe(200);
      // A token HubSpot does not know is refused before anything changes.
      const unknown = await patch(146, { accessToken: 't-146-unknown', leadRouting: { defaultOwnerId: '96' } });
      expect(unknown.status).toBe(422);
      expect(await portals.accessToken(146)).toBe('t-146-old');
      expect(((await get('146')).body as Json).settings.leadRouting).toEqual({ defaultOwnerId: '95' });
      hubspot.addPortal({ portalId: 146, accessToken: 't-146-new' });
      const rotated = await patch(146, { accessToken: 't-146-new', leadRouting: { defaultOwnerId: '96' } });
      expect(rotated.status).toBe(200);
      expect(await portals.accessToken(146)).toBe('t-146-new');
      expect(asked(146).map((r) => r.token)).toEqual(['t-146-old', 't-146-new']);
    });
  });

  it('a static-token portal disconnected, then reconnected with its token and its app\'s client secret: resumed, mode private-app', async () => {
    hubspot.addPortal({ portalId: 147, accessToken: 't-147' });
    expect((await post({ portalId: 147, name: 'Reconnected', accessToken: 't-147' })).status).toBe(201);
    const disconnected = await fetch(`${url}/admin/portals/147/connection`, { method: 'DELETE', headers: auth });
    expect(disconnected.status).toBe(200);
    expect(await disconnected.json()).toMatchObject({ status: 'paused', tokensErased: true, warnings: [expect.stringContaining('rotate it')] });
    expect(await portals.accessToken(147)).toBeUndefined();

    const secretAlone = await patch(147, { clientSecret: 'private-app-secret-147' });
    expect(secretAlone.status).toBe(400);
    expect(((await secretAlone.json()) as { message: string[] }).message).toEqual([expect.stringContaining("clientSecret is sent with the private app's accessToken")]);

    hubspot.addPortal({ portalId: 147, accessToken: 't-147-rotated' });
    const reconnected = await patch(147, { accessToken: 't-147-rotated', clientSecret: 'private-app-secret-147' });
    expect(reconnected.status).toBe(200);
    expect(await reconnected.json()).toMatchObject({ status: 'active', connection: { mode: 'private-app' }, onboarding: { kind: 'reconnected' } });
    expect(await portals.credentials.clientSecret(147)).toBe('private-app-secret-147');
    const types = (await get('147/events')).body.events as Array<{ type: string; data: Record<string, unknown> }>;
    expect(types.map((e) => e.type)).toEqual(expect.arrayContaining(['PortalDisconnected', 'PortalConnected']));
    expect(types.filter((e) => e.type === 'PortalStatusChanged').map((e) => e.data)).toEqual([
      expect.objectContaining({ from: 'active', to: 'paused' }),
      expect.objectContaining({ from: 'paused', to: 'active', reason: 'reconnected after it was disconnected' }),
    ]);
    expect(JSON.stringify(types)).not.toMatch(/t-147|private-app-secret/);
  });

  it('answers 404 for an unknown portal and 400 for a non-numeric id', async () => {
    expect((await fetch(`${url}/admin/portals/999`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${url}/admin/portals/abc`, { headers: auth })).status).toBe(400);
  });

  it('answers 401 without the admin key or with a wrong one', async () => {
    expect((await post({ portalId: 1, name: 'x', accessToken: 'y' }, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post({ portalId: 1, name: 'x', accessToken: 'y' }, { ...auth, authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await fetch(`${url}/admin/portals/123`)).status).toBe(401);
  });
});
