import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { BudgetRepository } from './budget.repository';
import { HubSpotBudget } from './hubspot-budget';

describe('HubSpotBudget shared through Postgres', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('budget');
  });
  afterAll(() => db.drop());

  it('two services asking at once for the same portal never get more than the bucket holds', async () => {
    const t0 = Date.UTC(2026, 10, 28, 12);
    const writer = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1, () => t0);
    const enricher = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1, () => t0);
    const grants = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? writer : enricher).acquire({ portalId: 1 })));
    // Starter plan, 10% headroom: 90 per 10 s, burst capacity 4.
    expect(grants.filter((g) => g.granted)).toHaveLength(4);
    expect(grants.find((g) => !g.granted)).toMatchObject({ reason: 'standard budget of 90 calls per 10 s in use' });
    expect((await writer.snapshot(1))?.dayCount).toBe(4);
  });

  it('keeps the day count and a 429 block across a restart', async () => {
    const t0 = Date.UTC(2026, 10, 28, 13);
    let now = t0;
    const before = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1, () => now);
    for (let i = 0; i < 3; i++) expect((await before.acquire({ portalId: 2 })).granted).toBe(true);
    await before.rateLimited(2, 'TEN_SECONDLY_ROLLING', 10_000);

    now += 5_000;
    const restarted = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1, () => now);
    expect(await restarted.acquire({ portalId: 2 })).toMatchObject({ granted: false, waitMs: 5_000 });
    now += 5_200;
    expect((await restarted.acquire({ portalId: 2 })).granted).toBe(true);
    expect((await restarted.snapshot(2))?.dayCount).toBe(4);
  });

  it('learns the real limits from HubSpot’s headers and applies each portal’s plan', async () => {
    const t0 = Date.UTC(2026, 10, 28, 14);
    const budget = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1, () => t0);
    await budget.acquire({ portalId: 3 });
    await budget.observe(3, { max: 190, remaining: 100, daily: 1_000_000, dailyRemaining: 990_000 });
    expect(await budget.snapshot(3)).toMatchObject({ observedMax: 190, observedDaily: 1_000_000, dayCount: 10_000 });
    // A public app has no daily limit and 110 per 10 s (99 after headroom, burst 4).
    const grants = await Promise.all(Array.from({ length: 10 }, () => budget.acquire({ portalId: 4, plan: { appType: 'public' } })));
    expect(grants.filter((g) => g.granted)).toHaveLength(4);
  });

  it('lives in an unlogged table: after a crash empties it, HubSpot’s headers restore the day’s count', async () => {
    const [table] = await db.dataSource.query(`SELECT relpersistence FROM pg_class WHERE relname = 'hubspot_budgets'`);
    expect(table.relpersistence).toBe('u');

    const t0 = Date.UTC(2026, 10, 28, 15);
    const budget = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1, () => t0);
    await budget.acquire({ portalId: 5 });
    await budget.observe(5, { max: 190, remaining: 150, daily: 500_000, dailyRemaining: 380_000 });
    // What a Postgres crash does to an unlogged table; a fresh service has no state in memory either.
    await db.dataSource.query('TRUNCATE hubspot_budgets');
    const afterCrash = new HubSpotBudget(new BudgetRepository(db.dataSource), 0.1, () => t0 + 1_000);
    expect((await afterCrash.acquire({ portalId: 5 })).granted).toBe(true);
    expect((await afterCrash.snapshot(5))?.dayCount).toBe(1);
    await afterCrash.observe(5, { max: 190, remaining: 149, daily: 500_000, dailyRemaining: 379_999 });
    expect((await afterCrash.snapshot(5))?.dayCount).toBe(120_001);
  });
});
