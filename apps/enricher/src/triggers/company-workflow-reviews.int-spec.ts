import {
  BudgetRepository,
  EventStore,
  HubSpotApi,
  HubSpotBudget,
  HubSpotClientFactory,
  PortalAccess,
  PortalRepository,
  startStory,
  StreamIds,
  TokenCipher,
  topicNames,
  type AppConfig,
  type PlatformEvent,
} from '@app/common';
import { HubSpotSandbox } from '../../../../sandbox/hubspot';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { CrmReader } from '../crm/crm-reader';
import { MANAGEMENT_AI } from '../capabilities/management-ai/management-ai.capability';
import { CompanyWorkflowReviews } from './company-workflow-reviews';

const PORTAL = 8401;

/**
 * A workflow's "send a webhook" on a company re-assesses its open deals: against the
 * HubSpot sandbox, with the portal and the event store in the real Postgres.
 */
describe('CompanyWorkflowReviews (HubSpot sandbox, Postgres)', () => {
  const hubspot = new HubSpotSandbox();
  let db: TestDatabase;
  let events: EventStore;
  let reviews: CompanyWorkflowReviews;
  let url: string;
  const token = 'pat-company-workflow';

  beforeAll(async () => {
    url = (await hubspot.start()).url;
    db = await createTestDatabase('company_workflow');
    events = new EventStore(db.dataSource);
    const portals = new PortalRepository(db.dataSource, new TokenCipher(Buffer.alloc(32, 7)));
    hubspot.addPortal({ portalId: PORTAL, accessToken: token, tier: 'professional' });
    await portals.register({ portalId: PORTAL, name: 'Company Co', accessToken: token, settings: { hubspot: { tier: 'professional' } } });
    const budget = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1);
    const access = new PortalAccess(portals, { portalCacheMs: 0 } as AppConfig, () => new Date());
    reviews = new CompanyWorkflowReviews(access, new CrmReader(new HubSpotApi(new HubSpotClientFactory(url)), budget), events, topicNames('test'), () => new Date());
  }, 60_000);
  afterAll(async () => {
    await hubspot.stop();
    await db?.drop();
  });

  const workflow = (companyId: string) =>
    startStory({ type: 'WorkflowWebhookReceived', portalId: PORTAL, data: { objectType: 'companies', objectId: companyId, properties: {}, authenticatedBy: 'api-key', raw: {} } }, new Date()) as PlatformEvent<'WorkflowWebhookReceived'>;
  const associate = async (dealId: string, companyId: string) => {
    const response = await fetch(`${url}/crm/objects/2026-03/deals/${dealId}/associations/default/companies/${companyId}`, { method: 'PUT', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBeLessThan(300);
  };

  it("asks for a re-assessment of each of the company's open deals, on the company's stream; a closed deal is left alone", async () => {
    const company = hubspot.seedObject(PORTAL, 'companies', { name: 'Initech' }).id;
    const open = [hubspot.seedObject(PORTAL, 'deals', { dealname: 'A', pipeline: 'default', dealstage: 'qualifiedtobuy' }).id, hubspot.seedObject(PORTAL, 'deals', { dealname: 'B', pipeline: 'default', dealstage: 'contractsent' }).id];
    const won = hubspot.seedObject(PORTAL, 'deals', { dealname: 'C', pipeline: 'default', dealstage: 'closedwon' }).id;
    for (const deal of [...open, won]) await associate(deal, company);
    const trigger = workflow(company);

    expect(await reviews.run(trigger)).toEqual({ kind: 'done' });
    // Redelivered: the same requests, recorded once.
    expect(await reviews.run(trigger)).toEqual({ kind: 'done' });
    const stream = await events.readStream(StreamIds.crmObject(PORTAL, 'companies', company));
    expect(stream.map((e) => (e.data as { dealId: string }).dealId).sort()).toEqual([...open].sort());
    for (const dealId of open) {
      const request = stream.find((e) => (e.data as { dealId: string }).dealId === dealId)!;
      expect(request).toEqual(expect.objectContaining({ type: 'DealReviewRequested', causationId: trigger.id, data: expect.objectContaining({ dealId, via: { kind: 'company-workflow', companyId: company } }) }));
      // The deal's findings are the rules' at the trigger's time, not the (absent) review's.
      const derived = MANAGEMENT_AI.derive!({ trigger: request, record: { amount: '1000', closedate: '2099-01-01T00:00:00Z', hubspot_owner_id: '1', hs_next_step: 'x', createdate: new Date().toISOString() }, portal: { settings: {} } as never });
      expect(derived).toEqual({ attention: 'none' });
    }
    expect(stream.map((e) => (e.data as { dealId: string }).dealId)).not.toContain(won);
  });

  it('a company without open deals, or one HubSpot no longer has: skipped with the reason on its story', async () => {
    const lonely = hubspot.seedObject(PORTAL, 'companies', { name: 'Lonely Ltd' }).id;
    expect(await reviews.run(workflow(lonely))).toMatchObject({ kind: 'drop', reason: expect.stringContaining('no open deal') });
    expect(await events.readStream(StreamIds.crmObject(PORTAL, 'companies', lonely))).toEqual([expect.objectContaining({ type: 'TriggerSkipped' })]);
    expect(await reviews.run(workflow('999999'))).toMatchObject({ kind: 'drop', reason: expect.stringContaining('no longer exists') });
  });
});
