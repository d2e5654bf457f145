import type { INestApplication } from '@nestjs/common';
import { startStory, StreamIds, type EventPayloads } from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { TEST_ADMIN_KEY, testConfig } from '../../../../test/support/platform';
import { adminDependencies, startAdminApp } from '../../../../test/support/admin';
import type { AdminDependencies } from './admin.module';

const PORTAL = 8501;
const EMPTY = 8502;

/** GET /admin/portals/:id/digests on the real Postgres: a date's digests, the latest by default, and the 400s and 404s. */
describe('admin API: a portal\'s digests (real Postgres)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let deps: AdminDependencies;

  const digest = (date: string, ownerId: string): EventPayloads['PipelineDigestComposed'] => ({
    request: { eventId: '00000000-0000-4000-8000-000000000001' },
    date,
    timeZone: 'Europe/Berlin',
    asOf: `${date}T07:00:00.000Z`,
    factsEventId: '00000000-0000-4000-8000-000000000002',
    previousFactsEventId: null,
    owners: [{ ownerId, deals: [], amount: 0 }],
    leadership: {
      managerOwnerId: null,
      counts: { openDeals: 0, needingAttention: 0, needingAttentionLeftOut: 0, assessmentsPending: 0 },
      pipelines: [],
      atRisk: { deals: [], amount: 0 },
      closingThisWeek: { from: date, to: date, open: null, needingAttention: [] },
      changes: { kind: 'no-previous-review', previousDate: date },
      unowned: [],
    },
    deliveries: [{ channel: 'hubspot-task', digest: { kind: 'leadership', managerOwnerId: null }, kind: 'not-delivered', reason: 'no manager' }],
  });
  const get = async (path: string) => {
    const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    db = await createTestDatabase('digest_admin');
    deps = adminDependencies(db, testConfig('ingest', db.url, 'unused'));
    ({ app, url } = await startAdminApp(deps));
    await deps.portals.register({ portalId: PORTAL, name: 'Digest Co', accessToken: 'pat-digest' });
    await deps.portals.register({ portalId: EMPTY, name: 'No Digest Co', accessToken: 'pat-empty' });
    for (const [date, owner] of [['2026-12-07', '77'], ['2026-12-08', '88']] as const) {
      await deps.eventStore.append({ streamId: StreamIds.review(PORTAL, date), events: [startStory({ type: 'PipelineDigestComposed', portalId: PORTAL, data: digest(date, owner) }, new Date())] });
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('returns the digests of the date asked for', async () => {
    const { status, body } = await get(`/admin/portals/${PORTAL}/digests?date=2026-12-07`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ portalId: PORTAL, date: '2026-12-07', streamId: StreamIds.review(PORTAL, '2026-12-07') });
    expect(body.digests).toEqual([expect.objectContaining({ type: 'PipelineDigestComposed', data: expect.objectContaining({ date: '2026-12-07', owners: [{ ownerId: '77', deals: [], amount: 0 }] }) })]);
  });

  it('without a date: the latest recorded', async () => {
    const { status, body } = await get(`/admin/portals/${PORTAL}/digests`);
    expect(status).toBe(200);
    expect(body.date).toBe('2026-12-08');
    expect(body.digests[0].data.owners[0].ownerId).toBe('88');
  });

  it('404 with a clear message when there is none, or no such portal; 400 for a bad date', async () => {
    expect(await get(`/admin/portals/${PORTAL}/digests?date=2026-12-01`)).toMatchObject({ status: 404, body: { message: `no digest recorded for portal ${PORTAL} on 2026-12-01` } });
    expect(await get(`/admin/portals/${EMPTY}/digests`)).toMatchObject({ status: 404, body: { message: `no digest recorded for portal ${EMPTY} yet` } });
    expect(await get(`/admin/portals/999999/digests`)).toMatchObject({ status: 404, body: { message: 'portal 999999 is not registered' } });
    for (const bad of ['2026-02-30', '07-12-2026', 'yesterday']) {
      expect(await get(`/admin/portals/${PORTAL}/digests?date=${bad}`)).toMatchObject({ status: 400, body: { message: [expect.stringContaining('YYYY-MM-DD')] } });
    }
  });
});
