import fc from 'fast-check';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PlatformModule, PortalRepository } from '@app/common';
import { aHubSpotEvent } from '../../../../test/support/builders';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { uniquePrefix } from '../../../../test/support/kafka';
import { memoryLogger } from '../../../../test/support/logger';
import { TEST_CLIENT_SECRET, testConfig } from '../../../../test/support/platform';
import { IngestModule } from '../ingest.module';
import { signatureV3 } from './hubspot-signature';

const PUBLIC_BASE_URL = 'https://hooks.agency.example';

/** Property-based: whatever arrives, the endpoint answers sensibly and never accepts an unsigned event. */
describe('webhook endpoint under malformed input (fast-check, real Postgres)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('fuzz');
    // Kafka is not needed to acknowledge: events wait in the outbox.
    const config = testConfig('ingest', db.url, uniquePrefix('fuzz'), { PUBLIC_BASE_URL, KAFKA_BROKERS: '127.0.0.1:1', PORTAL_CACHE_MS: '0' });
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config, 'ingest', memoryLogger().logger), IngestModule] }).compile();
    app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    await app.get(PortalRepository).register({ portalId: 62515, name: 'Fuzz', accessToken: 't' });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const eventCount = async (): Promise<number> => Number((await db.dataSource.query('SELECT count(*) AS n FROM events'))[0].n);

  // Bodies: random JSON, random text, and arrays of near-valid events with fields of the wrong type.
  const fieldValue = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.string({ unit: 'binary', maxLength: 20 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
  const mutatedEvent = fc.record({ field: fc.constantFrom('eventId', 'portalId', 'objectId', 'occurredAt', 'subscriptionType', 'attemptNumber', 'propertyName'), value: fieldValue, drop: fc.boolean() })
    .map(({ field, value, drop }) => {
      const event: Record<string, unknown> = aHubSpotEvent({ portalId: 62515 });
      if (drop) delete event[field];
      else event[field] = value;
      return event;
    });
  const body = fc.oneof(
    fc.json(),
    fc.string({ maxLength: 200 }),
    fc.array(mutatedEvent, { maxLength: 5 }).map((events) => JSON.stringify(events)),
    fc.array(fc.jsonValue(), { maxLength: 5 }).map((values) => JSON.stringify(values)),
    // Valid property changes whose values hold awkward characters, NUL included.
    fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: fc.constantFrom('\u0000', '\ud800', '\udc00', '\u001f', 'a', 'é', '😀', '"', '\\'), maxLength: 10 })), { minLength: 1, maxLength: 3 }).map((values) =>
      JSON.stringify(values.map((propertyValue, i) => aHubSpotEvent({ portalId: 62515, eventId: i, subscriptionType: 'contact.propertyChange', propertyName: 'message', propertyValue }))),
    ),
  );

  it('never accepts an unsigned or wrongly signed request, and records nothing for it', async () => {
    const before = await eventCount();
    await fc.assert(
      fc.asyncProperty(body, fc.option(fc.string({ maxLength: 60 })), fc.option(fc.string({ maxLength: 20 })), async (text, signature, timestamp) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (signature !== null) headers['x-hubspot-signature-v3'] = signature;
        if (timestamp !== null) headers['x-hubspot-request-timestamp'] = timestamp;
        const response = await fetch(`${url}/webhooks/hubspot`, { method: 'POST', headers, body: text });
        expect(response.status).toBe(401);
      }),
      { numRuns: 150 },
    );
    expect(await eventCount()).toBe(before);
  });

  it('answers every signed body with 200, 400 or 415 (never a 5xx), and accounts for every event', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain'), async (text, contentType) => {
        const timestamp = String(Date.now());
        const response = await fetch(`${url}/webhooks/hubspot`, {
          method: 'POST',
          headers: { 'content-type': contentType, 'x-hubspot-signature-v3': signatureV3(TEST_CLIENT_SECRET, 'POST', `${PUBLIC_BASE_URL}/webhooks/hubspot`, text, timestamp), 'x-hubspot-request-timestamp': timestamp },
          body: text,
        });
        expect([200, 400, 415]).toContain(response.status);
        if (response.status === 200) {
          const counts = (await response.json()) as Record<string, number>;
          expect(counts.accepted! + counts.coalesced! + counts.duplicates! + counts.ignored! + counts.rejected!).toBe(counts.received);
        }
      }),
      { numRuns: 200 },
    );
    // Still alive and still correct afterwards.
    const valid = JSON.stringify([aHubSpotEvent({ portalId: 62515 })]);
    const timestamp = String(Date.now());
    const response = await fetch(`${url}/webhooks/hubspot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signatureV3(TEST_CLIENT_SECRET, 'POST', `${PUBLIC_BASE_URL}/webhooks/hubspot`, valid, timestamp), 'x-hubspot-request-timestamp': timestamp },
      body: valid,
    });
    expect(await response.json()).toMatchObject({ accepted: 1 });
  });
});
