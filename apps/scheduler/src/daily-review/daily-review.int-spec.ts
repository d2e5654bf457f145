import { randomBytes } from 'node:crypto';
import { EventStore, OperatorAlerts, PlatformMetrics, PortalLifecycle, PortalRepository, startStory, TokenCipher, topicNames, type AppConfig, type PortalSettings } from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { memoryLogger } from '../../../../test/support/logger';
import { DailyReviewScheduler } from './daily-review.scheduler';

/**
 * Two scheduler replicas on the real Postgres, ticking at the same instants of an
 * injected clock through the days around both 2026 DST changes in Europe (and a
 * half-hour zone, and a zone the runtime does not know), one of them restarting
 * halfway, and the whole scheduler down from March to October: exactly one
 * DailyReviewScheduled per portal per local day, at the portal's local time.
 */
const BERLIN_NIGHT = 71_001; // Europe/Berlin (HubSpot's), 02:30: skipped in March, twice in October
const BERLIN_MORNING = 71_002; // Europe/Berlin (HubSpot's), default 08:00
const KOLKATA = 71_003; // settings.review.timeZone overrides HubSpot's US/Eastern
const UNKNOWN_ZONE = 71_004; // HubSpot named a zone this runtime lacks: UTC
const LATE = 71_005; // registered in the middle of the October window, after its review time

const STEP_MS = 15 * 60_000;
const MARCH = { from: Date.parse('2026-03-27T00:00:00Z'), to: Date.parse('2026-03-31T00:00:00Z') };
const OCTOBER = { from: Date.parse('2026-10-23T00:00:00Z'), to: Date.parse('2026-10-27T00:00:00Z') };
const LATE_REGISTERED = Date.parse('2026-10-25T12:00:00Z');

describe('DailyReviewScheduler (real Postgres, two replicas, injected clock across DST)', () => {
  let db: TestDatabase;
  let now = new Date(MARCH.from);
  const clock = () => now;
  const { logger } = memoryLogger();
  const config = { schedulerDailyAt: '08:00', schedulerTickMs: 60_000 } as AppConfig;
  const topics = topicNames(`daily-review-${randomBytes(3).toString('hex')}`);

  const aReplica = (): DailyReviewScheduler => {
    const events = new EventStore(db.dataSource);
    return new DailyReviewScheduler(new PortalRepository(db.dataSource, undefined), events, config, logger, new OperatorAlerts(events, logger, clock), new PlatformMetrics('scheduler', { processMetrics: false }), topics, clock);
  };

  const registerPortal = async (portalId: number, timeZone: string | null, settings: PortalSettings, registeredAt: string): Promise<void> => {
    const portals = new PortalRepository(db.dataSource, new TokenCipher(Buffer.alloc(32, 7)));
    await portals.register({ portalId, name: `portal ${portalId}`, accessToken: 'pat-na1-test', settings });
    const account = { timeZone, currency: 'EUR', dataHostingLocation: 'eu1', uiDomain: null, accountType: null, utcOffset: null };
    await new PortalLifecycle(new EventStore(db.dataSource), db.dataSource).record(portalId, [startStory({ type: 'PortalAccountRead', portalId, data: account }, new Date(registeredAt))]);
    await db.dataSource.query(`UPDATE portals SET created_at = $2 WHERE portal_id = $1`, [portalId, registeredAt]);
  };

  const triggers = async (portalId: number): Promise<Array<{ date: string; dueAt: string; timeZone: string; emittedAt: string; fallback?: string }>> => {
    const rows = (await db.dataSource.query(`SELECT data, occurred_at FROM events WHERE type = 'DailyReviewScheduled' AND portal_id = $1 ORDER BY global_position`, [portalId])) as Array<{ data: { date: string; dueAt: string; timeZone: string; timeZoneFallback?: string }; occurred_at: Date }>;
    return rows.map((r) => ({ date: r.data.date, dueAt: r.data.dueAt, timeZone: r.data.timeZone, emittedAt: new Date(r.occurred_at).toISOString(), ...(r.data.timeZoneFallback ? { fallback: r.data.timeZoneFallback } : {}) }));
  };

  /** Both replicas tick together at each step; `restartAt`: the second is replaced by a fresh one (a restart). */
  const run = async (window: { from: number; to: number }, replicas: DailyReviewScheduler[], restartAt?: number): Promise<number> => {
    let scheduled = 0;
    for (let t = window.from; t < window.to; t += STEP_MS) {
      now = new Date(t);
      if (t === restartAt) replicas[1] = aReplica();
      const counts = await Promise.all(replicas.map((r) => r.tick()));
      scheduled += counts.reduce((a, b) => a + b, 0);
    }
    return scheduled;
  };

  beforeAll(async () => {
    db = await createTestDatabase('daily_review');
    await registerPortal(BERLIN_NIGHT, 'Europe/Berlin', { review: { dailyAt: '02:30' } }, '2026-03-01T00:00:00Z');
    await registerPortal(BERLIN_MORNING, 'Europe/Berlin', {}, '2026-03-01T00:00:00Z');
    await registerPortal(KOLKATA, 'US/Eastern', { review: { timeZone: 'Asia/Kolkata' } }, '2026-03-01T00:00:00Z');
    await registerPortal(UNKNOWN_ZONE, 'Mars/Olympus_Mons', {}, '2026-03-01T00:00:00Z');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('schedules one review per portal per local day, at its local time, across DST, a restart and three months down', async () => {
    const replicas = [aReplica(), aReplica()];
    const march = await run(MARCH, replicas, MARCH.from + 2 * 86_400_000);
    let october = await run({ from: OCTOBER.from, to: LATE_REGISTERED }, replicas, OCTOBER.from + 2 * 86_400_000 + 7 * STEP_MS);
    await registerPortal(LATE, 'Europe/Berlin', {}, new Date(LATE_REGISTERED).toISOString());
    october += await run({ from: LATE_REGISTERED, to: OCTOBER.to }, replicas);

    const marchDays = ['2026-03-26', '2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30'];
    // Down from March 31 to October 23: one catch-up (October 22), not 200.
    const octoberDays = ['2026-10-22', '2026-10-23', '2026-10-24', '2026-10-25', '2026-10-26'];
    for (const portalId of [BERLIN_NIGHT, BERLIN_MORNING, KOLKATA, UNKNOWN_ZONE]) {
      expect((await triggers(portalId)).map((t) => t.date)).toEqual([...marchDays, ...octoberDays]);
    }
    // Registered on the 25th at 13:00 Berlin, after 08:00: that day's review at once, nothing before it.
    expect(await triggers(LATE)).toEqual([
      { date: '2026-10-25', dueAt: '2026-10-25T07:00:00.000Z', timeZone: 'Europe/Berlin', emittedAt: '2026-10-25T12:00:00.000Z' },
      { date: '2026-10-26', dueAt: '2026-10-26T07:00:00.000Z', timeZone: 'Europe/Berlin', emittedAt: '2026-10-26T07:00:00.000Z' },
    ]);
    // Every append was one replica's, once: 4 portals × 10 days + 2.
    expect(march + october).toBe(42);
    const [outbox] = (await db.dataSource.query(`SELECT count(*)::int AS n FROM outbox`)) as Array<{ n: number }>;
    expect(outbox!.n).toBe(42);

    const byDate = async (portalId: number) => new Map((await triggers(portalId)).map((t) => [t.date, t]));
    const night = await byDate(BERLIN_NIGHT);
    // 02:30 does not exist on March 29 (02:00 CET → 03:00 CEST): the first instant after, 01:00 UTC.
    expect(night.get('2026-03-29')).toMatchObject({ dueAt: '2026-03-29T01:00:00.000Z', emittedAt: '2026-03-29T01:00:00.000Z' });
    expect(night.get('2026-03-30')).toMatchObject({ dueAt: '2026-03-30T00:30:00.000Z' });
    // 02:30 happens twice on October 25: once, at the first (CEST, 00:30 UTC).
    expect(night.get('2026-10-25')).toMatchObject({ dueAt: '2026-10-25T00:30:00.000Z', emittedAt: '2026-10-25T00:30:00.000Z' });
    expect(night.get('2026-10-26')).toMatchObject({ dueAt: '2026-10-26T01:30:00.000Z' });

    const morning = await byDate(BERLIN_MORNING);
    expect([...morning.values()].map((t) => t.dueAt)).toEqual([
      '2026-03-26T07:00:00.000Z', '2026-03-27T07:00:00.000Z', '2026-03-28T07:00:00.000Z', '2026-03-29T06:00:00.000Z', '2026-03-30T06:00:00.000Z',
      '2026-10-22T06:00:00.000Z', '2026-10-23T06:00:00.000Z', '2026-10-24T06:00:00.000Z', '2026-10-25T07:00:00.000Z', '2026-10-26T07:00:00.000Z',
    ]);
    // The catch-ups were emitted when the scheduler came back; every other one at its due tick.
    expect(morning.get('2026-03-26')!.emittedAt).toBe('2026-03-27T00:00:00.000Z');
    expect(morning.get('2026-10-22')!.emittedAt).toBe('2026-10-23T00:00:00.000Z');
    for (const day of ['2026-03-27', '2026-03-29', '2026-10-25']) expect(morning.get(day)!.emittedAt).toBe(morning.get(day)!.dueAt);

    const kolkata = await byDate(KOLKATA);
    expect(kolkata.get('2026-10-25')).toMatchObject({ timeZone: 'Asia/Kolkata', dueAt: '2026-10-25T02:30:00.000Z', emittedAt: '2026-10-25T02:30:00.000Z' });

    const unknown = await byDate(UNKNOWN_ZONE);
    expect(unknown.get('2026-10-25')).toMatchObject({ timeZone: 'UTC', fallback: 'Mars/Olympus_Mons', dueAt: '2026-10-25T08:00:00.000Z' });
    // One alert, though two replicas saw the unknown zone at the same tick; not paused.
    const alerts = (await db.dataSource.query(`SELECT data FROM events WHERE type = 'PortalAlertRaised' AND portal_id = $1`, [UNKNOWN_ZONE])) as Array<{ data: { alert: string; pause: boolean } }>;
    expect(alerts.map((a) => a.data)).toEqual([expect.objectContaining({ alert: 'time-zone-unknown', pause: false })]);
    const [row] = (await db.dataSource.query(`SELECT status, alerts FROM portals WHERE portal_id = $1`, [UNKNOWN_ZONE])) as Array<{ status: string; alerts: Record<string, unknown> }>;
    expect(row).toMatchObject({ status: 'active', alerts: { 'time-zone-unknown': expect.anything() } });
  });
});
