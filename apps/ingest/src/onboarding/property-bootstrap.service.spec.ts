import { classifyHubSpotFailure, startStory, type EventStore, type HubSpotApi, type HubSpotBudget, type HubSpotCallResult, type HubSpotOperationName } from '@app/common';
import { PropertyBootstrapErrorCode, type PropertyBootstrapError } from './property-bootstrap.error';
import { PropertyBootstrapService } from './property-bootstrap.service';

type Answer = { ok: true; status: number; body: unknown } | { ok: false; status: number | string; body?: unknown };
const ok = (body: unknown = {}, status = 200): Answer => ({ ok: true, status, body });
const fail = (status: number | string, body: unknown = { message: `HTTP ${status}`, category: 'X' }): Answer => ({ ok: false, status, body });
const listed = (...results: unknown[]): Answer => ok({ results });
const NOW = new Date('2026-12-01T09:00:00Z');
const PORTAL = 4242;

/** HubSpot as a script: each call must be the next one expected (operation, and the property it names), else the test fails. */
class ScriptedHubSpot {
  private readonly script: Array<{ operation: HubSpotOperationName; name?: string; answer: Answer }> = [];
  readonly calls: Array<{ operation: HubSpotOperationName; params: unknown; body: unknown }> = [];

  then(operation: HubSpotOperationName, answer: Answer, name?: string): this {
    this.script.push({ operation, answer, ...(name ? { name } : {}) });
    return this;
  }

  async call(_token: string, operation: HubSpotOperationName, params: Record<string, unknown>, init: { body?: Record<string, unknown> } = {}): Promise<HubSpotCallResult> {
    const next = this.script.shift();
    const named = (init.body?.name ?? params.propertyName) as string | undefined;
    if (!next || next.operation !== operation || (next.name !== undefined && next.name !== named)) throw new Error(`unexpected HubSpot call ${operation} ${named ?? ''} (expected ${next ? `${next.operation} ${next.name ?? ''}` : 'none'})`);
    this.calls.push({ operation, params, body: init.body });
    const { answer } = next;
    const base = { operation, apiVersion: '2026-03' };
    return answer.ok ? { ...base, ok: true, status: answer.status, headers: {}, body: answer.body } : { ...base, ok: false, error: { code: answer.status, body: answer.body, headers: {}, message: `HTTP ${answer.status}` } };
  }

  remaining(): number {
    return this.script.length;
  }
}

function setUp(grant: { granted: true } | { granted: false; waitMs: number; reason: string } = { granted: true }) {
  const hubspot = new ScriptedHubSpot();
  const budget = {
    acquireWithin: jest.fn(async () => grant),
    learnFrom: jest.fn(async (_portalId: number, answer: HubSpotCallResult) => (answer.ok ? undefined : classifyHubSpotFailure(answer.error))),
  };
  const eventStore = { append: jest.fn(async () => ({ kind: 'appended' })) };
  const service = new PropertyBootstrapService(hubspot as unknown as HubSpotApi, budget as unknown as HubSpotBudget, eventStore as unknown as EventStore, () => NOW);
  const run = (capabilities: Array<'lead-ai' | 'service-ai'> = ['lead-ai']) => service.bootstrap(PORTAL, { accessToken: 'tok' }, capabilities, 'onboarding');
  return { hubspot, budget, eventStore, service, run };
}

const CONTACT_PROPS = ['ai_lead_score', 'ai_persona', 'ai_summary', 'ai_pain_points', 'ai_recommended_action'];
const freshContacts = (hubspot: ScriptedHubSpot) => hubspot.then('properties.list', listed({ name: 'email', type: 'string', fieldType: 'text' })).then('propertyGroups.list', listed({ name: 'contactinformation' }));
const caught = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a PropertyBootstrapError'); }, (error: unknown) => error as PropertyBootstrapError);

describe('PropertyBootstrapService', () => {
  it('lists once per object type, creates the group and each property, takes the budget before every call and records the event', async () => {
    const { hubspot, budget, eventStore, run } = setUp();
    freshContacts(hubspot).then('propertyGroups.create', ok({}, 201), 'ai_insights');
    for (const name of CONTACT_PROPS) hubspot.then('properties.create', ok({}, 201), name);

    const { results, event } = await run();
    expect(results).toEqual([{ objectType: 'contacts', name: 'ai_insights', kind: 'group', outcome: 'created' }, ...CONTACT_PROPS.map((name) => ({ objectType: 'contacts', name, kind: 'property', outcome: 'created' }))]);
    expect(hubspot.remaining()).toBe(0);
    expect(budget.acquireWithin).toHaveBeenCalledTimes(hubspot.calls.length);
    expect(budget.learnFrom).toHaveBeenCalledTimes(hubspot.calls.length);
    expect(budget.acquireWithin).toHaveBeenCalledWith({ portalId: PORTAL }, expect.any(Number));
    expect(event).toMatchObject({ type: 'PropertiesBootstrapped', portalId: PORTAL, recordedAt: NOW.toISOString(), data: { capabilities: ['lead-ai'], trigger: 'onboarding', results } });
    expect(eventStore.append).toHaveBeenCalledWith({ streamId: `portal-${PORTAL}`, events: [event] });
  });

  it('answers a failure on one property with its classified reason and goes on with the others', async () => {
    const { hubspot, run } = setUp();
    freshContacts(hubspot).then('propertyGroups.create', ok({}, 201));
    hubspot.then('properties.create', fail(502), 'ai_lead_score').then('properties.create', fail(400, { message: 'bad', category: 'VALIDATION_ERROR' }), 'ai_persona');
    for (const name of CONTACT_PROPS.slice(2)) hubspot.then('properties.create', ok({}, 201), name);

    const { results } = await run();
    expect(results.find((r) => r.name === 'ai_lead_score')).toMatchObject({ outcome: 'failed', detail: expect.stringContaining('HubSpot could not answer now (HubSpot 502') });
    expect(results.find((r) => r.name === 'ai_persona')).toMatchObject({ outcome: 'failed', detail: 'HubSpot 400: bad' });
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(4);
  });

  it('takes a 409 on create as "there", judged by what a second listing shows; an unlisted one is probably archived', async () => {
    const { hubspot, run } = setUp();
    freshContacts(hubspot).then('propertyGroups.create', fail(409, { category: 'OBJECT_ALREADY_EXISTS' }));
    hubspot
      .then('properties.create', fail(409), 'ai_lead_score')
      .then('properties.list', listed({ name: 'ai_lead_score', type: 'number', fieldType: 'number' }))
      .then('properties.create', fail(409), 'ai_persona')
      .then('properties.list', listed({ name: 'ai_persona', type: 'string', fieldType: 'text' }))
      .then('properties.create', fail(409), 'ai_summary')
      .then('properties.list', listed())
      .then('properties.create', ok({}, 201), 'ai_pain_points')
      .then('properties.create', ok({}, 201), 'ai_recommended_action');

    const { results } = await run();
    expect(results.map((r) => [r.name, r.outcome])).toEqual([
      ['ai_insights', 'present'],
      ['ai_lead_score', 'present'],
      ['ai_persona', 'conflicting'],
      ['ai_summary', 'failed'],
      ['ai_pain_points', 'created'],
      ['ai_recommended_action', 'created'],
    ]);
    expect(results[3]!.detail).toContain('probably archived');
  });

  it('sends no more calls after a 401, records what it did and fails as a whole', async () => {
    const { hubspot, eventStore, run } = setUp();
    freshContacts(hubspot).then('propertyGroups.create', ok({}, 201)).then('properties.create', ok({}, 201), 'ai_lead_score').then('properties.create', fail(401), 'ai_persona');

    const error = await caught(run());
    expect(error.code).toBe(PropertyBootstrapErrorCode.TokenRefused);
    expect(error.message).toContain('reconnect the portal');
    expect(error.done?.results.slice(3).every((r) => r.outcome === 'failed' && r.detail?.startsWith('not tried: HubSpot refused the access token'))).toBe(true);
    expect(eventStore.append).toHaveBeenCalledTimes(1);
    expect(hubspot.remaining()).toBe(0);
  });

  it('names the missing scope of a 403 and still bootstraps the other object types', async () => {
    const { hubspot, run } = setUp();
    freshContacts(hubspot).then('properties.list', fail(403, { category: 'MISSING_SCOPES' })).then('propertyGroups.create', ok({}, 201));
    for (const name of CONTACT_PROPS) hubspot.then('properties.create', ok({}, 201), name);

    const error = await caught(run(['lead-ai', 'service-ai']));
    expect(error.code).toBe(PropertyBootstrapErrorCode.MissingScopes);
    expect(error.missingScopes).toEqual(['crm.schemas.tickets.read or tickets']);
    expect(error.done?.results.filter((r) => r.objectType === 'contacts').every((r) => r.outcome === 'created')).toBe(true);
    expect(error.done?.results.filter((r) => r.objectType === 'tickets').every((r) => r.outcome === 'failed' && r.detail?.includes('not checked'))).toBe(true);
  });

  it('names crm.schemas.<type>.write when a create is refused for a scope, and tries nothing more for that type', async () => {
    const { hubspot, run } = setUp();
    freshContacts(hubspot).then('propertyGroups.create', fail(403, { category: 'MISSING_SCOPES' }));
    const error = await caught(run());
    expect(error.missingScopes).toEqual(['crm.schemas.contacts.write']);
    const [group, ...properties] = error.done!.results;
    expect(group).toMatchObject({ kind: 'group', outcome: 'failed', detail: expect.stringMatching(/^the token lacks the crm.schemas.contacts.write scope \(HubSpot 403/) });
    expect(properties.every((r) => r.outcome === 'failed' && r.detail?.startsWith('not created: its group ai_insights could not be created'))).toBe(true);
    expect(hubspot.remaining()).toBe(0);
  });

  it('changes nothing when HubSpot cannot list (503), and records nothing', async () => {
    const { hubspot, eventStore, run } = setUp();
    hubspot.then('properties.list', fail(503));
    const error = await caught(run());
    expect(error.code).toBe(PropertyBootstrapErrorCode.HubSpotUnavailable);
    expect(error.message).toContain('nothing was changed');
    expect(eventStore.append).not.toHaveBeenCalled();
  });

  it('sends nothing when the budget will not grant a call in time', async () => {
    const { hubspot, run } = setUp({ granted: false, waitMs: 60_000, reason: 'daily limit' });
    const error = await caught(run());
    expect(error.code).toBe(PropertyBootstrapErrorCode.HubSpotUnavailable);
    expect(hubspot.calls).toEqual([]);
  });

  it('fails the properties the budget will not grant a call for, waiting in place only once', async () => {
    const { hubspot, budget, run } = setUp();
    hubspot.then('properties.list', listed()).then('propertyGroups.list', listed({ name: 'ai_insights' }));
    budget.acquireWithin.mockResolvedValueOnce({ granted: true }).mockResolvedValueOnce({ granted: true });
    budget.acquireWithin.mockResolvedValue({ granted: false, waitMs: 60_000, reason: 'ten-secondly limit' } as never);

    const { results } = await run();
    expect(results.slice(1).every((r) => r.outcome === 'failed' && r.detail?.includes('HubSpot budget: ten-secondly limit'))).toBe(true);
    expect(hubspot.calls).toHaveLength(2);
    const waits = (budget.acquireWithin.mock.calls as unknown as Array<[unknown, number]>).map(([, maxWaitMs]) => maxWaitMs);
    expect(waits).toEqual([5_000, 5_000, 5_000, 0, 0, 0, 0]);
  });

  it('adds missing options with an update that sends the existing ones back', async () => {
    const { hubspot, run } = setUp();
    const existing = { label: 'Theirs', value: 'theirs', displayOrder: 0, hidden: false };
    hubspot
      .then('properties.list', listed(
        { name: 'ai_lead_score', type: 'number', fieldType: 'number' },
        { name: 'ai_persona', type: 'enumeration', fieldType: 'select', options: [existing] },
        ...CONTACT_PROPS.slice(2).map((name) => ({ name, type: 'string', fieldType: 'textarea' })),
      ))
      .then('propertyGroups.list', listed({ name: 'ai_insights' }))
      .then('properties.update', ok(), 'ai_persona');
    const { results } = await run();
    expect(results.find((r) => r.name === 'ai_persona')).toMatchObject({ outcome: 'options-added', detail: 'added options: decision_maker, influencer, practitioner, researcher, unknown' });
    const sent = hubspot.calls.at(-1)!.body as { options: Array<{ value: string }> };
    expect(sent.options.map((o) => o.value)).toEqual(['theirs', 'decision_maker', 'influencer', 'practitioner', 'researcher', 'unknown']);
    expect(sent.options[0]).toEqual(existing);
  });

  it('records the event as caused by what triggered it', async () => {
    const { hubspot, service } = setUp();
    hubspot.then('properties.list', listed()).then('propertyGroups.list', listed({ name: 'ai_insights' }));
    for (const name of CONTACT_PROPS) hubspot.then('properties.create', ok({}, 201), name);
    const cause = startStory({ type: 'PortalConnected', portalId: PORTAL, data: {} }, NOW);
    const { event } = await service.bootstrap(PORTAL, { accessToken: 'tok' }, ['lead-ai'], 'capability-enabled', cause);
    expect(event).toMatchObject({ correlationId: cause.correlationId, causationId: cause.id, data: { trigger: 'capability-enabled' } });
    expect(event.data.results[0]).toEqual({ objectType: 'contacts', name: 'ai_insights', kind: 'group', outcome: 'present' });
  });
});
