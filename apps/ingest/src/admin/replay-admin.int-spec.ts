import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { causedBy, EventStore, PortalRepository, StreamIds, TokenCipher, topicNames, type PlatformEvent } from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { TEST_ADMIN_KEY, testConfig } from '../../../../test/support/platform';
import { adminDependencies, startAdminApp } from '../../../../test/support/admin';

const PORTAL = 4242;

describe('replays through the admin API (real Postgres)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let events: EventStore;
  let replaysTopic: string;
  const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    db = await createTestDatabase('replay_admin');
    const config = testConfig('ingest', db.url, 'unused');
    replaysTopic = topicNames(config.kafkaTopicPrefix).replays;
    const portals = new PortalRepository(db.dataSource, new TokenCipher(config.tokenEncryptionKey!));
    await portals.register({ portalId: PORTAL, name: 'Replay Co', accessToken: 'pat', settings: {} });
    events = new EventStore(db.dataSource);
    ({ app, url } = await startAdminApp(adminDependencies(db, config, portals)));
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}/admin/portals/${path}`, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('records the request, publishes it to the replays topic for the enricher, and reports it as running (202)', async () => {
    const before = Date.now();
    const { status, body } = await call('POST', `${PORTAL}/replays`, { promptId: 'lead-scoring', promptVersion: 4, from: '2026-11-01T00:00:00Z' });
    expect(status).toBe(202);
    expect(body).toMatchObject({
      replayId: expect.any(String),
      portalId: PORTAL,
      status: 'running',
      request: { promptId: 'lead-scoring', promptVersion: 4, from: '2026-11-01T00:00:00.000Z', limit: 100, forceModelCall: false },
      totals: { replayed: 0, changed: 0, failed: 0, costUsd: 0 },
      decisions: [],
      applies: [],
    });
    // Without `to`, the replay ends where it was asked: live decisions made meanwhile are not part of it.
    expect(Date.parse(body.request.to)).toBeGreaterThanOrEqual(before - 1000);
    const outbox = await db.dataSource.query('SELECT topic, message_key FROM outbox WHERE event_id = $1', [body.replayId]);
    expect(outbox).toEqual([{ topic: replaysTopic, message_key: String(PORTAL) }]);
    expect((await call('GET', `${PORTAL}/replays/${body.replayId}`)).body).toEqual(body);
  });

  it('answers 400 with every reason for a bad request, and 404 for an unknown portal or replay', async () => {
    const bad = await call('POST', `${PORTAL}/replays`, { promptId: 'Lead Scoring', promptVersion: 0, limit: 5000, forceModelCall: 'yes', from: 'yesterday', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(
      expect.arrayContaining([
        'promptId must be a prompt id such as lead-scoring or ticket-triage',
        'promptVersion must be a positive whole number',
        'limit must be a whole number from 1 to 1000',
        'forceModelCall must be true or false',
        'from must be an ISO 8601 date-time, e.g. 2026-11-28T08:00:00Z',
        'property extra should not exist',
      ]),
    );
    const backwards = await call('POST', `${PORTAL}/replays`, { promptId: 'lead-scoring', promptVersion: 4, from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' });
    expect(backwards).toMatchObject({ status: 400, body: { message: ['from must be before to'] } });
    const future = await call('POST', `${PORTAL}/replays`, { promptId: 'lead-scoring', promptVersion: 4, from: '2999-01-01T00:00:00Z' });
    expect(future).toMatchObject({ status: 400, body: { message: ['from must be before now (to defaults to now)'] } });

    expect(await call('POST', '999/replays', { promptId: 'lead-scoring', promptVersion: 4 })).toMatchObject({ status: 404, body: { message: 'portal 999 is not registered' } });
    expect((await call('GET', `${PORTAL}/replays/${randomUUID()}`)).status).toBe(404);
    expect((await call('GET', `${PORTAL}/replays/not-a-uuid`)).status).toBe(404);
    expect((await call('POST', `${PORTAL}/replays/${randomUUID()}/apply`, {})).status).toBe(404);
  });

  it('shows each decision before and after, and applies a completed replay only (409 before)', async () => {
    const { body: requested } = await call('POST', `${PORTAL}/replays`, { promptId: 'lead-scoring', promptVersion: 4 });
    const streamId = StreamIds.replay(PORTAL, requested.replayId);
    expect(await call('POST', `${PORTAL}/replays/${requested.replayId}/apply`, {})).toMatchObject({ status: 409, body: { message: `replay ${requested.replayId} is running: only a completed replay can be applied` } });

    // What the enricher records as it runs (see ReplayRunner).
    const [request] = await events.readStream(streamId);
    const original = { decisionId: randomUUID(), streamId: StreamIds.crmObject(PORTAL, 'contacts', '77'), objectType: 'contacts' as const, objectId: '77', prompt: { id: 'lead-scoring', version: 3, hash: 'h3' }, output: { score: 40, persona: 'researcher', summary: 'Browsing.' } };
    const call4 = { trigger: { eventId: randomUUID(), type: 'contact.creation' }, prompt: { id: 'lead-scoring', version: 4, hash: 'h4' }, provider: 'anthropic' as const, model: 'claude-sonnet-5-5', input: {}, usage: { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 }, latencyMs: 800 };
    const replayed = causedBy(request!, { type: 'DecisionReplayed', portalId: PORTAL, data: { ...call4, output: { score: 85, persona: 'researcher', summary: 'Browsing.' }, costUsd: 0.002, original, differences: [{ field: 'score', before: 40, after: 85 }], notReadThen: ['company.name'] } }, new Date());
    const completed = causedBy(request!, { type: 'ReplayCompleted', portalId: PORTAL, data: { replayed: 1, changed: 1, failed: 0, costUsd: 0.002 } }, new Date());
    await events.append({ streamId, events: [replayed, completed] });

    const { body: report } = await call('GET', `${PORTAL}/replays/${requested.replayId}`);
    expect(report).toMatchObject({
      status: 'completed',
      totals: { replayed: 1, changed: 1, failed: 0, costUsd: 0.002 },
      decisions: [
        {
          decisionId: original.decisionId,
          objectType: 'contacts',
          objectId: '77',
          outcome: 'changed',
          before: { prompt: { id: 'lead-scoring', version: 3 }, output: { score: 40 } },
          after: { prompt: { id: 'lead-scoring', version: 4 }, output: { score: 85 } },
          differences: [{ field: 'score', before: 40, after: 85 }],
          costUsd: 0.002,
          notReadThen: ['company.name'],
        },
      ],
    });

    const bad = await call('POST', `${PORTAL}/replays/${requested.replayId}/apply`, { decisionIds: ['x'] });
    expect(bad).toMatchObject({ status: 400, body: { message: ['decisionIds must be decision ids (UUIDs)'] } });
    for (const decisionIds of [[], null]) {
      const none = await call('POST', `${PORTAL}/replays/${requested.replayId}/apply`, { decisionIds });
      expect(none.status).toBe(400);
      expect(JSON.stringify(none.body.message)).toContain('leave it out to apply every changed decision');
    }
    const applied = await call('POST', `${PORTAL}/replays/${requested.replayId}/apply`, { decisionIds: [original.decisionId] });
    expect(applied).toMatchObject({ status: 202, body: { applyId: expect.any(String) } });
    const outbox = await db.dataSource.query('SELECT topic FROM outbox WHERE event_id = $1', [applied.body.applyId]);
    expect(outbox).toEqual([{ topic: replaysTopic }]);
    const { body: after } = await call('GET', `${PORTAL}/replays/${requested.replayId}`);
    expect(after.applies).toEqual([{ applyId: applied.body.applyId, requestedAt: expect.any(String), decisionIds: [original.decisionId], status: 'pending' }]);
    const stored = (await events.readStream(streamId)).at(-1) as unknown as PlatformEvent<'ReplayApplyRequested'>;
    expect(stored).toMatchObject({ type: 'ReplayApplyRequested', correlationId: requested.replayId });
  });
});
