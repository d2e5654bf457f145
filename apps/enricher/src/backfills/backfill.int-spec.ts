import type { INestApplication } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { allTopics, KafkaBus, PlatformModule, topicNames, type AppConfig, type PortalRepository } from '@app/common';
import { AnthropicDouble } from '../../../../sandbox/anthropic';
import { HubSpotSandbox } from '../../../../sandbox/hubspot';
import { adminDependencies, startAdminApp } from '../../../../test/support/admin';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { eventually, uniquePrefix } from '../../../../test/support/kafka';
import { memoryLogger } from '../../../../test/support/logger';
import { TEST_ADMIN_KEY, testConfig } from '../../../../test/support/platform';
import { startWriter } from '../../../../test/support/writer';
import { EnricherModule } from '../enricher.module';

const MAIN = 8101;
const CANCELLED = 8102;
const NO_SCOPE = 8103;
const KNOWN_SCOPES = 8104;
const EXISTING = 450;
const LEAD_PROPERTIES = ['ai_lead_score', 'ai_persona', 'ai_summary', 'ai_pain_points', 'ai_recommended_action'];
/** The sandbox reports this per-10-s limit in its headers; the budget adopts it (the default Starter share would take minutes). */
const SANDBOX_LIMIT = 10_000;

type Report = Record<string, any>;

/**
 * Backfills through everything real: the admin API in process, the enricher (its
 * runner and trigger consumer) and the writer in process on the real Kafka and
 * Postgres, HubSpot's sandbox with 450 existing contacts, Claude's double.
 */
describe('backfills (admin API → enricher runner → decisions → writer → HubSpot sandbox)', () => {
  const hubspot = new HubSpotSandbox();
  const claude = new AnthropicDouble();
  const prefix = uniquePrefix('backfill');
  let db: TestDatabase;
  let admin: INestApplication;
  let adminUrl: string;
  let enricher: TestingModule;
  let writer: TestingModule;
  let enricherConfig: AppConfig;
  let portals: PortalRepository;
  const { logger } = memoryLogger();

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Report }> => {
    const response = await fetch(`${adminUrl}/admin/portals/${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Report };
  };
  const report = async (portalId: number, id: string): Promise<Report> => (await call('GET', `${portalId}/backfills/${id}`)).body;
  const until = (portalId: number, id: string, ok: (r: Report) => boolean, what: string, timeoutMs = 40_000) =>
    eventually(async () => {
      const r = await report(portalId, id);
      return ok(r) ? r : undefined;
    }, timeoutMs, what);

  async function startEnricher(): Promise<TestingModule> {
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(enricherConfig, 'enricher', logger), EnricherModule] }).compile();
    await moduleRef.init();
    return moduleRef;
  }

  async function aPortal(portalId: number, contacts: number): Promise<string[]> {
    hubspot.addPortal({ portalId, accessToken: `pat-${portalId}`, tier: 'starter', limits: { perTenSeconds: SANDBOX_LIMIT } });
    for (const name of LEAD_PROPERTIES) hubspot.defineProperty(portalId, 'contacts', { name, label: name, type: 'string', fieldType: 'text', groupName: 'contactinformation' });
    const ids: string[] = [];
    for (let i = 0; i < contacts; i++) {
      // Existing records: created long before the portal was onboarded, no webhook ever sent for them.
      const createdate = new Date(Date.UTC(2026, 0, 1 + (i % 300))).toISOString();
      ids.push(hubspot.seedObject(portalId, 'contacts', { email: `c${i}@p${portalId}.example`, firstname: `C${i}`, jobtitle: i % 3 ? 'Head of Operations' : 'Analyst', company: `Co ${i}`, createdate }).id);
    }
    await portals.register({ portalId, name: `Portal ${portalId}`, accessToken: `pat-${portalId}` });
    return ids;
  }

  beforeAll(async () => {
    const hubspotUrl = (await hubspot.start()).url;
    const claudeUrl = (await claude.start()).url;
    db = await createTestDatabase('backfills');
    const extra = { HUBSPOT_API_BASE_URL: hubspotUrl, ANTHROPIC_API_KEY: 'sk-ant-test-key', ANTHROPIC_BASE_URL: claudeUrl, KAFKA_TOPIC_PARTITIONS: '3' };
    enricherConfig = testConfig('enricher', db.url, prefix, extra);
    const bus = new KafkaBus({ brokers: enricherConfig.kafkaBrokers, clientId: 'backfill-test', logger });
    await bus.ensureTopics(allTopics(topicNames(prefix)), 3, 1);
    await bus.disconnect();
    const deps = adminDependencies(db, testConfig('ingest', db.url, prefix, extra));
    portals = deps.portals;
    ({ app: admin, url: adminUrl } = await startAdminApp(deps));
    writer = await startWriter(testConfig('writer', db.url, prefix, extra), logger);
    enricher = await startEnricher();
  }, 60_000);

  afterAll(async () => {
    await enricher?.close();
    await writer?.close();
    await admin?.close();
    await hubspot.stop();
    await claude.stop();
    await db?.drop();
  });

  it('answers 404 for an unknown portal and 400 for a capability that does not score the object type', async () => {
    expect((await call('POST', `999999/backfills`, { objectType: 'contacts' })).status).toBe(404);
    await aPortal(KNOWN_SCOPES, 0);
    const mismatch = await call('POST', `${KNOWN_SCOPES}/backfills`, { objectType: 'tickets', capability: 'lead-ai' });
    expect(mismatch).toMatchObject({ status: 400, body: { message: ['capability lead-ai does not score tickets (service-ai does)'] } });
    const badFilter = await call('POST', `${KNOWN_SCOPES}/backfills`, { objectType: 'contacts', filter: [{ propertyName: 'lifecyclestage', operator: 'LIKE', value: 'x' }], limit: 0 });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.message).toEqual(expect.arrayContaining([expect.stringContaining('filter operator must be one of EQ, NEQ'), 'limit must be a whole number from 1 to 100000']));
  });

  it('answers 422 naming the missing scopes when the portal’s recorded scopes lack what the capability needs', async () => {
    await db.dataSource.query(`UPDATE portals SET connection = $2::jsonb WHERE portal_id = $1`, [KNOWN_SCOPES, JSON.stringify({ mode: 'oauth', scopes: ['oauth', 'crm.objects.contacts.write'] })]);
    const refused = await call('POST', `${KNOWN_SCOPES}/backfills`, { objectType: 'contacts' });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toEqual([expect.stringMatching(/lacks the scopes crm\.objects\.contacts\.read, .*that lead-ai needs/)]);
    expect((await call('GET', `${KNOWN_SCOPES}/backfills`)).body).toEqual({ backfills: [] });
  });

  it('scores 450 existing contacts page by page within the backfill share: progress while running, pause, resume, a restart, every one decided and written once, 0 × 429', async () => {
    const contacts = await aPortal(MAIN, EXISTING);
    const accepted = await call('POST', `${MAIN}/backfills`, { objectType: 'contacts', since: '2025-12-01T00:00:00Z' });
    expect(accepted.status).toBe(202);
    const id = accepted.body.backfillId as string;
    expect(accepted.body).toMatchObject({ status: 'running', request: { capability: 'lead-ai', objectType: 'contacts', since: '2025-12-01T00:00:00.000Z', budgetShare: 0.25 } });
    // One at a time per portal.
    expect((await call('POST', `${MAIN}/backfills`, { objectType: 'contacts' })).status).toBe(409);

    // Progress is visible while it runs.
    const running = await until(MAIN, id, (r) => r.progress.decided >= 30 && r.status === 'running', '30 decisions');
    expect(running.listing.expected).toBe(EXISTING);
    expect(running.costUsd).toBeGreaterThan(0);
    expect(running.estimatedSecondsLeft).toEqual(expect.any(Number));
    expect(running.decidedPerMinute).toBeGreaterThan(0);

    // Pause: the listing and the queueing stop; what was queued is still decided.
    expect((await call('POST', `${MAIN}/backfills/${id}/pause`)).body.status).toBe('paused');
    const paused = await report(MAIN, id);
    await new Promise((r) => setTimeout(r, 2_000));
    const later = await report(MAIN, id);
    expect(later.status).toBe('paused');
    expect(later.listing).toEqual(paused.listing);
    expect(later.listing.queued).toBeLessThan(EXISTING);

    // Resume, then restart the enricher while it runs: a new runner takes it over from the cursor.
    expect((await call('POST', `${MAIN}/backfills/${id}/resume`)).body.status).toBe('running');
    const before = await until(MAIN, id, (r) => r.listing.queued > later.listing.queued, 'queueing to go on');
    await enricher.close();
    enricher = await startEnricher();
    expect((await report(MAIN, id)).listing.queued).toBeGreaterThanOrEqual(before.listing.queued);

    const done = await until(MAIN, id, (r) => r.status === 'completed' && r.progress.written >= EXISTING, 'the backfill to complete and be written', 50_000);
    expect(done.listing).toMatchObject({ listed: EXISTING, queued: EXISTING, expected: EXISTING, done: true });
    expect(done.progress).toMatchObject({ decided: EXISTING, failed: 0, skipped: 0, inFlight: 0, written: EXISTING });
    expect(done.estimatedSecondsLeft).toBe(0);

    // Every contact decided once and written back: its ai_ properties, and no note or task for an old contact.
    const decisions: Array<{ stream_id: string; n: string }> = await db.dataSource.query(
      `SELECT stream_id, count(*) AS n FROM events WHERE correlation_id = $1 AND type = 'DecisionMade' GROUP BY stream_id`,
      [id],
    );
    expect(decisions).toHaveLength(EXISTING);
    expect(decisions.every((d) => d.n === '1')).toBe(true);
    const kinds: Array<{ kind: string }> = await db.dataSource.query(`SELECT DISTINCT data->>'kind' AS kind FROM events WHERE correlation_id = $1 AND type = 'WritebackRequested'`, [id]);
    expect(kinds).toEqual([{ kind: 'update-properties' }]);
    for (const contact of contacts) expect(hubspot.getObject(MAIN, 'contacts', contact)?.properties.ai_lead_score).toEqual(expect.stringMatching(/^\d+$/));
    expect(hubspot.listObjects(MAIN, 'tasks')).toHaveLength(0);

    // Paged past the page size (200) by id, within HubSpot's limits.
    const stats = hubspot.rateLimitStats(MAIN);
    expect(stats.rateLimited).toBe(0);
    expect(stats.searchCalls).toBeGreaterThanOrEqual(3);
    const pages: Array<{ cursor: string }> = await db.dataSource.query(`SELECT data->>'cursor' AS cursor FROM events WHERE correlation_id = $1 AND type = 'BackfillProgressed' ORDER BY global_position`, [id]);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.map((p) => Number(p.cursor))).toEqual([...pages.map((p) => Number(p.cursor))].sort((a, b) => a - b));

    expect((await call('GET', `${MAIN}/backfills`)).body.backfills).toEqual([expect.objectContaining({ backfillId: id, status: 'completed', listed: EXISTING })]);
    expect((await call('POST', `${MAIN}/backfills/${id}/cancel`)).status).toBe(409);
  }, 120_000);

  it('cancel: nothing more is listed, and the records queued but not yet decided are skipped with the reason', async () => {
    await aPortal(CANCELLED, 120);
    // A slow HubSpot for this portal: records pile up in flight.
    hubspot.injectFaults(CANCELLED, [{ delayMs: 300, count: 10_000 }]);
    const id = (await call('POST', `${CANCELLED}/backfills`, { objectType: 'contacts', limit: 100 })).body.backfillId as string;
    await until(CANCELLED, id, (r) => r.progress.decided >= 2 && r.progress.inFlight >= 3, 'records in flight');
    const cancelled = await call('POST', `${CANCELLED}/backfills/${id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    const settled = await until(CANCELLED, id, (r) => r.progress.inFlight === 0, 'every queued record to end', 30_000);
    expect(settled.progress.skipped).toBeGreaterThan(0);
    expect(settled.progress.decided + settled.progress.skipped).toBe(settled.listing.queued);
    expect(settled.listing).toEqual(cancelled.body.listing);
    const reasons: Array<{ reason: string }> = await db.dataSource.query(`SELECT DISTINCT data->>'reason' AS reason FROM events WHERE correlation_id = $1 AND type = 'TriggerSkipped'`, [id]);
    expect(reasons).toEqual([{ reason: `backfill ${id} was cancelled` }]);
    expect((await call('POST', `${CANCELLED}/backfills/${id}/resume`)).status).toBe(409);
  }, 60_000);

  it('a token without the read scope: the first search answers 403, the backfill fails naming the scope, and resumes once it is granted', async () => {
    await aPortal(NO_SCOPE, 5);
    hubspot.injectFaults(NO_SCOPE, [
      {
        status: 403,
        body: {
          status: 'error',
          message: 'This app hasn’t been granted all required scopes to make this call.',
          correlationId: '3f1c',
          errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['crm.objects.contacts.read'] } }],
          category: 'MISSING_SCOPES',
        },
      },
    ]);
    const id = (await call('POST', `${NO_SCOPE}/backfills`, { objectType: 'contacts' })).body.backfillId as string;
    const failed = await until(NO_SCOPE, id, (r) => r.status === 'failed', 'the backfill to fail');
    expect(failed).toMatchObject({ reason: expect.stringContaining('lacks the scope crm.objects.contacts.read'), missingScopes: ['crm.objects.contacts.read'], listing: { listed: 0 } });
    // Another request waits for this one to be resumed or cancelled.
    expect((await call('POST', `${NO_SCOPE}/backfills`, { objectType: 'contacts' })).status).toBe(409);

    // The operator granted the scope (the sandbox answers normally again): resume goes on from where it stopped.
    expect((await call('POST', `${NO_SCOPE}/backfills/${id}/resume`)).body).toMatchObject({ status: 'running' });
    const done = await until(NO_SCOPE, id, (r) => r.status === 'completed', 'the resumed backfill to complete');
    expect(done.progress.decided).toBe(5);
  }, 60_000);
});
