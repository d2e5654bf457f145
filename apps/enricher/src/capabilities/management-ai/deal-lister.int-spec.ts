import { BudgetRepository, HubSpotApi, HubSpotBudget, HubSpotClientFactory, type HubSpotCallResult } from '@app/common';
import { HubSpotSandbox } from '../../../../../sandbox/hubspot';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { DealLister } from './deal-lister';

const BIG = 8201;
const MOVING = 8202;
const NO_SCOPE = 8203;
const FLAKY = 8204;
const EMPTY = 8205;
const OPEN_DEALS = 10_250;

/**
 * The review's deal listing against the HubSpot sandbox (which refuses paging past
 * 10,000 results and limits search to 5 per second per account, as HubSpot does)
 * with the portal's budget in the real Postgres.
 */
describe('DealLister (HubSpot sandbox, budget in Postgres)', () => {
  const hubspot = new HubSpotSandbox();
  let db: TestDatabase;
  let budget: HubSpotBudget;
  let api: HubSpotApi;
  const token = (portalId: number) => `pat-${portalId}`;
  const deal = (i: number, stage = 'qualifiedtobuy') => ({ dealname: `Deal ${i}`, dealstage: stage, pipeline: 'default', amount: String(1000 + i) });

  beforeAll(async () => {
    const url = (await hubspot.start()).url;
    for (const portalId of [BIG, MOVING, NO_SCOPE, FLAKY, EMPTY]) hubspot.addPortal({ portalId, accessToken: token(portalId), tier: 'professional' });
    db = await createTestDatabase('deal_lister');
    budget = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1);
    api = new HubSpotApi(new HubSpotClientFactory(url));
  });
  afterAll(async () => {
    await hubspot.stop();
    await db.drop();
  });

  it(`finds all of ${OPEN_DEALS.toLocaleString('en')} open deals (past HubSpot's 10,000-result cap), no closed one, every search through the search pool, 0 × 429`, async () => {
    for (let i = 0; i < OPEN_DEALS; i++) hubspot.seedObject(BIG, 'deals', deal(i));
    for (let i = 0; i < 30; i++) hubspot.seedObject(BIG, 'deals', deal(i, i % 2 ? 'closedwon' : 'closedlost'));
    const before = hubspot.rateLimitStats(BIG);

    const listing = await new DealLister(api, budget).openDeals({ portalId: BIG, token: token(BIG) });

    expect(listing).toMatchObject({ kind: 'listed', changedWhilePaging: false, truncated: false });
    if (listing.kind !== 'listed') return;
    expect(listing.deals).toHaveLength(OPEN_DEALS);
    expect(new Set(listing.deals.map((d) => d.id)).size).toBe(OPEN_DEALS);
    expect(listing.deals.every((d) => d.properties.hs_is_closed === 'false' && d.properties.dealstage === 'qualifiedtobuy')).toBe(true);
    expect(listing.deals[0]!.properties).toMatchObject({ amount: '1000', pipeline: 'default', hs_deal_stage_probability: '0.4', hs_v2_date_entered_current_stage: expect.any(String) });
    const pages = Math.ceil(OPEN_DEALS / 200);
    expect(listing.searchCalls).toBe(pages);
    const after = hubspot.rateLimitStats(BIG);
    expect(after.searchCalls - before.searchCalls).toBe(pages);
    expect(after.rateLimited - before.rateLimited).toBe(0);
    // Every search took a token from the portal's search pool, none from the standard one.
    expect(await budget.snapshot(BIG)).toMatchObject({ dayCount: pages });
  }, 120_000);

  it('a deal changed, closed or created while the review pages is neither lost nor listed twice, and the change is recorded', async () => {
    const ids = Array.from({ length: 650 }, (_, i) => hubspot.seedObject(MOVING, 'deals', deal(i)).id);
    const crm = (method: string, path: string, body: unknown) =>
      fetch(`${hubspot.url}${path}`, { method, headers: { authorization: `Bearer ${token(MOVING)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    let searches = 0;
    const moving = {
      async call(...args: Parameters<HubSpotApi['call']>): Promise<HubSpotCallResult> {
        const answer = await api.call(...args);
        if (args[1] === 'objects.search' && ++searches === 2) {
          // Between the second and third page: a deal already listed moves stage, one ahead moves stage,
          // one ahead closes, and a new one is created.
          for (const [id, stage] of [[ids[10]!, 'contractsent'], [ids[500]!, 'presentationscheduled'], [ids[600]!, 'closedlost']] as const) {
            expect((await crm('PATCH', `/crm/v3/objects/deals/${id}`, { properties: { dealstage: stage } })).status).toBe(200);
          }
          expect((await crm('POST', '/crm/v3/objects/deals', { properties: deal(999) })).status).toBe(201);
        }
        return answer;
      },
    } as HubSpotApi;

    const listing = await new DealLister(moving, budget).openDeals({ portalId: MOVING, token: token(MOVING) });

    expect(listing).toMatchObject({ kind: 'listed', changedWhilePaging: true });
    if (listing.kind !== 'listed') return;
    const listed = listing.deals.map((d) => d.id);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed).toHaveLength(650 - 1 + 1);
    expect(listed).toContain(ids[10]);
    expect(listed).not.toContain(ids[600]);
    expect(listing.deals.find((d) => d.id === ids[500])!.properties.dealstage).toBe('presentationscheduled');
  });

  it('a portal with no open deals lists none, in one search', async () => {
    hubspot.seedObject(EMPTY, 'deals', deal(1, 'closedwon'));
    expect(await new DealLister(api, budget).openDeals({ portalId: EMPTY, token: token(EMPTY) })).toEqual({ kind: 'listed', deals: [], searchCalls: 1, changedWhilePaging: false, truncated: false });
  });

  it('a 403 names the scope HubSpot says is missing; nothing is retried', async () => {
    hubspot.injectFaults(NO_SCOPE, [
      {
        status: 403,
        count: 1,
        body: { status: 'error', category: 'MISSING_SCOPES', message: 'This app hasn\'t been granted all required scopes', errors: [{ message: 'missing', context: { requiredGranularScopes: ['crm.objects.deals.read'] } }] },
      },
    ]);
    expect(await new DealLister(api, budget).openDeals({ portalId: NO_SCOPE, token: token(NO_SCOPE) })).toMatchObject({
      kind: 'failed',
      hubspotStatus: 403,
      missingScopes: ['crm.objects.deals.read'],
      searchCalls: 1,
    });
  });

  it('a 5xx or 429 is retried in place; when it persists the listing is handed back to retry later', async () => {
    for (let i = 0; i < 3; i++) hubspot.seedObject(FLAKY, 'deals', deal(i));
    const sleeps: number[] = [];
    const sleep = async (ms: number) => void sleeps.push(ms);
    hubspot.injectFaults(FLAKY, [{ status: 502, count: 1 }]);
    expect(await new DealLister(api, budget).openDeals({ portalId: FLAKY, token: token(FLAKY) }, {}, { sleep })).toMatchObject({ kind: 'listed', searchCalls: 2 });
    hubspot.injectFaults(FLAKY, [{ status: 503, count: 3 }]);
    expect(await new DealLister(api, budget).openDeals({ portalId: FLAKY, token: token(FLAKY) }, {}, { sleep })).toMatchObject({ kind: 'retry', reason: expect.stringContaining('503'), searchCalls: 3 });
    expect(sleeps).toHaveLength(1 + 2);
  });
});
