import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { TEST_ADMIN_KEY, testConfig } from '../../../../test/support/platform';
import { adminDependencies, startAdminApp } from '../../../../test/support/admin';

/**
 * Issue 14 item 6: ids beyond 2^53 and NUL bytes in admin paths answer 400 or 404,
 * never 500; impossible dates (2026-02-30) are refused, not rolled over.
 */
describe('admin API paths and dates (security, real Postgres)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    db = await createTestDatabase('adminpaths');
    const config = testConfig('ingest', db.url, 'unused');
    const deps = adminDependencies(db, config);
    ({ app, url } = await startAdminApp(deps));
    await deps.portals.register({ portalId: 321, name: 'Paths', accessToken: 't' });
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: await response.text() };
  };

  const HUGE = ['99999999999999999999', '9007199254740993', '18446744073709551616', '1e3', '0', '-1', '0x10'];
  const NUL = ['%00', 'abc%00', '%00%00'];

  it.each(HUGE)('answers 400 for portal id %s in every admin path', async (portalId) => {
    const paths: Array<[string, string, unknown?]> = [
      ['GET', `/admin/portals/${portalId}`],
      ['PATCH', `/admin/portals/${portalId}`, { name: 'x' }],
      ['GET', `/admin/portals/${portalId}/budget`],
      ['GET', `/admin/portals/${portalId}/costs`],
      ['GET', `/admin/portals/${portalId}/objects/contacts/1/events`],
      ['POST', `/admin/portals/${portalId}/replays`, { promptId: 'lead-scoring', promptVersion: 1 }],
      ['GET', `/admin/portals/${portalId}/replays/4d7f8f5e-0b39-4c7a-9a5b-0b0c0d0e0f10`],
      ['POST', `/admin/portals/${portalId}/replays/4d7f8f5e-0b39-4c7a-9a5b-0b0c0d0e0f10/apply`, {}],
    ];
    for (const [method, path, body] of paths) {
      const answer = await call(method, path, body);
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
    }
  });

  it('answers 400 for portal ids beyond 2^53 in request bodies', async () => {
    for (const portalId of [1e20, 2 ** 53, 2 ** 63]) {
      expect((await call('POST', '/admin/portals', { portalId, name: 'Huge', accessToken: 't' })).status).toBe(400);
      const redrive = await call('POST', '/admin/dead-letters/redrive', { topic: 'writebacks', portalId, from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z', dryRun: true });
      expect(redrive.status).toBe(400);
    }
  });

  it.each(NUL)('answers 400 or 404 for %s in object ids, replay ids and correlation ids', async (bad) => {
    const paths: Array<[string, string, unknown?]> = [
      ['GET', `/admin/portals/321/objects/contacts/${bad}/events`],
      ['GET', `/admin/portals/321/objects/${bad}/1/events`],
      ['GET', `/admin/portals/321/replays/${bad}`],
      ['POST', `/admin/portals/321/replays/${bad}/apply`, {}],
      ['GET', `/admin/stories/${bad}`],
    ];
    for (const [method, path, body] of paths) {
      const answer = await call(method, path, body);
      expect({ path, ok: [400, 404].includes(answer.status) }).toEqual({ path, ok: true });
    }
  });

  it('answers 400 or 404 for object ids beyond 2^53 or not numeric, and for correlation ids that are not ids', async () => {
    for (const path of ['/admin/portals/321/objects/contacts/99999999999999999999999/events', '/admin/portals/321/objects/contacts/1%20OR%201=1/events', `/admin/stories/${'9'.repeat(40)}`, '/admin/stories/not-a-uuid']) {
      const answer = await call('GET', path);
      expect({ path, ok: [400, 404].includes(answer.status) }).toEqual({ path, ok: true });
    }
  });

  it('refuses impossible calendar dates instead of rolling them over', async () => {
    for (const query of ['from=2026-02-30', 'to=2026-02-29', 'from=2026-04-31&to=2026-05-02', 'from=2026-13-01']) {
      const answer = await call('GET', `/admin/portals/321/costs?${query}`);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
    }
    expect(await call('GET', '/admin/portals/321/costs?from=2024-02-29&to=2024-03-01')).toEqual({ status: 200, body: expect.stringContaining('2024-02-29') });
    const replay = await call('POST', '/admin/portals/321/replays', { promptId: 'lead-scoring', promptVersion: 1, from: '2026-02-30T00:00:00Z' });
    expect(replay.status).toBe(400);
    const redrive = await call('POST', '/admin/dead-letters/redrive', { topic: 'writebacks', portalId: 321, from: '2026-02-30T00:00:00Z', to: '2026-03-05T00:00:00Z', dryRun: true });
    expect(redrive.status).toBe(400);
  });
});
