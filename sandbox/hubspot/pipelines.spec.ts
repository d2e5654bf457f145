import { HubSpotSandbox } from './hubspot-sandbox';
import { apiCall } from '../test-support/oauth-client.helper';

const MISSING = (scope: string) => ({ category: 'MISSING_SCOPES', errors: [{ message: expect.any(String), context: { requiredGranularScopes: expect.arrayContaining([scope]) } }] });

describe('HubSpotSandbox deal pipelines (GET /crm/pipelines/2026-03/deals)', () => {
  let sandbox: HubSpotSandbox;
  let url: string;

  beforeEach(async () => {
    sandbox = new HubSpotSandbox();
    ({ url } = await sandbox.start());
    sandbox.addPortal({ portalId: 701, accessToken: 'all', tier: 'professional' });
    sandbox.addPortal({ portalId: 702, accessToken: 'contacts-only', scopes: ['crm.objects.contacts.read'] });
    sandbox.addPortal({ portalId: 703, accessToken: 'deals-read', scopes: ['crm.objects.deals.read'] });
    sandbox.addPortal({ portalId: 704, accessToken: 'two-a-window', limits: { perTenSeconds: 2 } });
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  it("serves HubSpot's default pipeline, metadata as strings, in the 2026-03 spec's shape", async () => {
    const answer = await apiCall(url, 'all', 'GET', '/crm/pipelines/2026-03/deals');
    expect(answer.status).toBe(200);
    expect(answer.body.paging).toBeUndefined();
    expect(answer.body.results).toHaveLength(1);
    const [pipeline] = answer.body.results;
    expect(pipeline).toMatchObject({ id: 'default', label: 'Sales Pipeline', displayOrder: 0, archived: false, createdAt: '1970-01-01T00:00:00Z' });
    expect(pipeline.stages.map((s: { id: string; metadata: object }) => [s.id, s.metadata])).toEqual([
      ['appointmentscheduled', { isClosed: 'false', probability: '0.2' }],
      ['qualifiedtobuy', { isClosed: 'false', probability: '0.4' }],
      ['presentationscheduled', { isClosed: 'false', probability: '0.6' }],
      ['decisionmakerboughtin', { isClosed: 'false', probability: '0.8' }],
      ['contractsent', { isClosed: 'false', probability: '0.9' }],
      ['closedwon', { isClosed: 'true', probability: '1.0' }],
      ['closedlost', { isClosed: 'true', probability: '0.0' }],
    ]);
    expect(pipeline.stages[0]).toEqual(
      expect.objectContaining({ label: 'Appointment Scheduled', displayOrder: 0, archived: false, writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT', createdAt: expect.any(String), updatedAt: expect.any(String) }),
    );
    // The object type id is accepted too; one pipeline by id; an unknown one is 404.
    expect((await apiCall(url, 'all', 'GET', '/crm/pipelines/2026-03/0-3')).body).toEqual({ results: [pipeline] });
    expect((await apiCall(url, 'all', 'GET', '/crm/pipelines/2026-03/deals/default')).body).toEqual(pipeline);
    expect(await apiCall(url, 'all', 'GET', '/crm/pipelines/2026-03/deals/nope')).toMatchObject({ status: 404, body: { category: 'OBJECT_NOT_FOUND' } });
  });

  it('answers the date-versioned path only: v3 and other versions are 404, as are writes and other object types', async () => {
    const v3 = await apiCall(url, 'all', 'GET', '/crm/v3/pipelines/deals');
    expect(v3.status).toBe(404);
    expect(v3.body.message).toContain('/crm/pipelines/2026-03/');
    expect((await apiCall(url, 'all', 'GET', '/crm/v3/pipelines/deals/default')).status).toBe(404);
    expect((await apiCall(url, 'all', 'GET', '/crm/pipelines/2026-09/deals')).status).toBe(404);
    expect((await apiCall(url, 'all', 'POST', '/crm/pipelines/2026-03/deals', { label: 'X', displayOrder: 1, stages: [] })).status).toBe(404);
    expect((await apiCall(url, 'all', 'GET', '/crm/pipelines/2026-03/tickets')).status).toBe(404);
  });

  it("needs a deals scope: a token with only the contacts scope is 403 MISSING_SCOPES, the deals read scope is enough", async () => {
    const refused = await apiCall(url, 'contacts-only', 'GET', '/crm/pipelines/2026-03/deals');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject(MISSING('crm.objects.deals.read'));
    expect((await apiCall(url, 'contacts-only', 'GET', '/crm/pipelines/2026-03/deals/default')).status).toBe(403);
    expect((await apiCall(url, 'deals-read', 'GET', '/crm/pipelines/2026-03/deals')).status).toBe(200);
  });

  it('counts against the standard rate limit (not the search one)', async () => {
    for (let i = 0; i < 2; i++) expect((await apiCall(url, 'two-a-window', 'GET', '/crm/pipelines/2026-03/deals')).status).toBe(200);
    const limited = await apiCall(url, 'two-a-window', 'GET', '/crm/pipelines/2026-03/deals');
    expect(limited).toMatchObject({ status: 429, body: { errorType: 'RATE_LIMIT' } });
    expect(sandbox.rateLimitStats(704)).toMatchObject({ calls: 3, rateLimited: 1, searchCalls: 0 });
  });

  it("one definition: an added pipeline is listed, its stages take deals and give their probability; deleted ones disappear while their deals keep them", async () => {
    const renewals = sandbox.addDealPipeline(701, {
      id: 'renewals',
      label: 'Renewals',
      stages: [
        { id: 'r-open', label: 'Open', probability: 0.3 },
        { id: 'r-signed', label: 'Signed', probability: '1.0', isClosed: true },
      ],
    });
    expect(renewals).toMatchObject({ id: 'renewals', displayOrder: 1, stages: [{ id: 'r-open', metadata: { probability: '0.3', isClosed: 'false' } }, { id: 'r-signed' }] });
    expect((await apiCall(url, 'all', 'GET', '/crm/pipelines/2026-03/deals')).body.results.map((p: { id: string }) => p.id)).toEqual(['default', 'renewals']);

    const open = await apiCall(url, 'all', 'POST', '/crm/objects/2026-03/deals', { properties: { dealname: 'R', pipeline: 'renewals', dealstage: 'r-open' } });
    expect(open.status).toBe(201);
    expect(open.body.properties).toMatchObject({ hs_deal_stage_probability: '0.3', hs_is_closed: 'false' });
    const signed = sandbox.seedObject(701, 'deals', { dealname: 'S', pipeline: 'renewals', dealstage: 'r-signed' });
    expect(signed.properties).toMatchObject({ hs_deal_stage_probability: '1', hs_is_closed: 'true' });
    const won = sandbox.seedObject(701, 'deals', { dealname: 'W', pipeline: 'default', dealstage: 'closedwon' });
    expect(won.properties).toMatchObject({ hs_deal_stage_probability: '1', hs_is_closed: 'true' });

    sandbox.deleteDealStage(701, 'renewals', 'r-open');
    const [, afterStage] = (await apiCall(url, 'all', 'GET', '/crm/pipelines/2026-03/deals')).body.results;
    expect(afterStage.stages.map((s: { id: string }) => s.id)).toEqual(['r-signed']);
    // The deal keeps its stage and what was computed from it; a new deal cannot be put there.
    expect(sandbox.getObject(701, 'deals', open.body.id)?.properties).toMatchObject({ dealstage: 'r-open', hs_deal_stage_probability: '0.3' });
    expect((await apiCall(url, 'all', 'POST', '/crm/objects/2026-03/deals', { properties: { dealname: 'X', pipeline: 'renewals', dealstage: 'r-open' } })).status).toBe(400);

    sandbox.deleteDealPipeline(701, 'renewals');
    expect((await apiCall(url, 'all', 'GET', '/crm/pipelines/2026-03/deals')).body.results.map((p: { id: string }) => p.id)).toEqual(['default']);
    expect((await apiCall(url, 'all', 'GET', '/crm/pipelines/2026-03/deals/renewals')).status).toBe(404);
    expect(sandbox.getObject(701, 'deals', signed.id)?.properties).toMatchObject({ pipeline: 'renewals', dealstage: 'r-signed' });
    expect(() => sandbox.deleteDealPipeline(701, 'renewals')).toThrow(/no deal pipeline/);
    expect(() => sandbox.addDealPipeline(701, { label: 'Bad', stages: [{ label: 'A', probability: 0.25 }] })).toThrow(/steps of 0.1/);
  });

  it('drives the same hooks through /__sandbox', async () => {
    const admin = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}/__sandbox/portals/701/pipelines/deals${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
      return { status: res.status, body: (await res.json()) as any };
    };
    expect(await admin('POST', '', { id: 'p2', label: 'Partners', stages: [{ id: 'p2-a', label: 'A', probability: 0.5 }, { id: 'p2-b', label: 'B', probability: 0.7 }] })).toMatchObject({ status: 201, body: { id: 'p2' } });
    expect(await admin('DELETE', '/p2/stages/p2-a')).toMatchObject({ status: 200 });
    expect((await admin('GET', '')).body.results[1].stages.map((s: { id: string }) => s.id)).toEqual(['p2-b']);
    expect(await admin('DELETE', '/p2')).toMatchObject({ status: 200 });
    expect((await admin('GET', '')).body.results).toHaveLength(1);
    expect((await admin('DELETE', '/p2')).status).toBe(400);
  });
});
