import type { INestApplication } from '@nestjs/common';
import { deadLetterTopic, topicNames } from '@app/common';
import { anEvent } from '../../../../test/support/builders';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { collectMessages, testKafka, uniquePrefix, type TestKafkaAdmin, type TestKafkaProducer } from '../../../../test/support/kafka';
import { TEST_ADMIN_KEY, testConfig } from '../../../../test/support/platform';
import { adminDependencies, startAdminApp } from '../../../../test/support/admin';

describe('dead-letter redrive endpoint (real Kafka and Postgres)', () => {
  const prefix = uniquePrefix('redrive');
  const topics = topicNames(prefix);
  const writebacksDlq = deadLetterTopic(topics.writebacks);
  const kafka = testKafka('redrive-test');
  const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' };
  let admin: TestKafkaAdmin;
  let producer: TestKafkaProducer;
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;

  // Portal 501 failed three times, portal 502 once, all on the writebacks topic.
  const deadLetters = [
    { portalId: 501, failedAt: '2026-11-28T09:59:59.000Z' },
    { portalId: 501, failedAt: '2026-11-28T10:00:00.000Z' },
    { portalId: 502, failedAt: '2026-11-28T10:15:00.000Z' },
    { portalId: 501, failedAt: '2026-11-28T10:30:00.000Z' },
    { portalId: 501, failedAt: '2026-11-28T12:00:00.000Z' },
  ].map(({ portalId, failedAt }, i) => ({ failedAt, event: anEvent({ portalId, type: 'WritebackRequested', data: { seq: i } }) }));
  const range = { from: '2026-11-28T10:00:00Z', to: '2026-11-28T11:00:00Z' };
  const expected = [deadLetters[1]!, deadLetters[3]!];

  const redrive = (body: unknown, headers: Record<string, string> = auth) =>
    fetch(`${url}/admin/dead-letters/redrive`, { method: 'POST', headers, body: JSON.stringify(body) });
  const messagesOn = async (topic: string) => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  const redrivenEvents = async () => db.dataSource.query(`SELECT data FROM events WHERE stream_id = 'dead-letters-501' AND type = 'DeadLettersRedriven' ORDER BY global_position`);

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    // Three partitions: with two portals, at least one dead-letter partition stays empty.
    await admin.createTopics({ waitForLeaders: true, topics: [topics.writebacks, writebacksDlq, deadLetterTopic(topics.webhooksRaw)].map((topic) => ({ topic, numPartitions: 3 })) });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (const { event, failedAt } of deadLetters) {
      await producer.send({
        topic: writebacksDlq,
        acks: -1,
        messages: [{
          key: String(event.portalId),
          value: JSON.stringify(event),
          headers: {
            'event-id': event.id,
            'correlation-id': event.correlationId,
            'dlq-reason': 'gave up after 5 attempts: HubSpot 503',
            'dlq-original-topic': topics.writebacks,
            'dlq-original-partition': '0',
            'dlq-original-offset': '7',
            'dlq-failed-at': failedAt,
            'dlq-attempts': '5',
          },
        }],
      });
    }

    db = await createTestDatabase('redrive');
    const config = testConfig('ingest', db.url, prefix);
    ({ app, url } = await startAdminApp(adminDependencies(db, config)));
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await producer?.disconnect();
    await admin.deleteTopics({ topics: [topics.writebacks, writebacksDlq, deadLetterTopic(topics.webhooksRaw)] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('a dry run counts the matching dead letters, publishes nothing and records nothing', async () => {
    const response = await redrive({ topic: 'writebacks', portalId: 501, ...range, dryRun: true });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      dryRun: true, deadLetterTopic: writebacksDlq, scanned: 5, matched: 2, redriven: 0, targetTopics: [topics.writebacks], correlationId: null,
    });
    expect(await messagesOn(topics.writebacks)).toBe(0);
    expect(await redrivenEvents()).toEqual([]);
  });

  it('redrives exactly the portal’s dead letters of the range, with their key, value and original headers', async () => {
    const collector = await collectMessages([topics.writebacks]);
    const response = await redrive({ topic: 'writebacks', portalId: 501, ...range });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { correlationId: string };
    expect(report).toEqual({
      dryRun: false, deadLetterTopic: writebacksDlq, scanned: 5, matched: 2, redriven: 2, targetTopics: [topics.writebacks], correlationId: expect.any(String),
    });

    const received = await collector.waitFor(expected.length);
    await collector.stop();
    expect(await messagesOn(topics.writebacks)).toBe(expected.length);
    expect(received.map((m) => ({ key: m.key, value: m.value }))).toEqual(expected.map((d) => ({ key: '501', value: JSON.stringify(d.event) })));
    for (const [i, message] of received.entries()) {
      expect(message.headers).toMatchObject({ 'event-id': expected[i]!.event.id, 'correlation-id': expected[i]!.event.correlationId, 'redriven-from-offset': expect.stringMatching(/^\d+$/) });
      expect(Date.parse(message.headers['redriven-at']!)).not.toBeNaN();
      expect(Object.keys(message.headers).filter((h) => h.startsWith('dlq-'))).toEqual([]);
    }

    const [recorded] = await db.dataSource.query(`SELECT data, correlation_id FROM events WHERE stream_id = 'dead-letters-501' AND type = 'DeadLettersRedriven'`);
    expect(recorded.correlation_id).toBe(report.correlationId);
    expect(recorded.data).toEqual({
      deadLetterTopic: writebacksDlq, targetTopic: topics.writebacks, from: '2026-11-28T10:00:00.000Z', to: '2026-11-28T11:00:00.000Z', redriven: 2, scanned: 5, requestedBy: 'admin-api',
    });
  });

  it('finishes at once on an empty dead-letter topic and answers 404 for a topic that does not exist', async () => {
    const empty = await redrive({ topic: 'webhooksRaw', portalId: 501, ...range, dryRun: true });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toMatchObject({ scanned: 0, matched: 0, redriven: 0, targetTopics: [] });

    const missing = await redrive({ topic: 'scheduledTriggers', portalId: 501, ...range });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toContain(`${deadLetterTopic(topics.scheduledTriggers)} does not exist`);
  });

  it('answers 400 with the reasons for a bad body, and 401 without the admin key', async () => {
    const bad = await redrive({ topic: 'decisions', portalId: 'abc', from: 'yesterday', dryRun: 'yes', extra: 1 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string[] }).message).toEqual(expect.arrayContaining([
      'topic must be one of webhooksRaw, scheduledTriggers, writebacks, replays (the original topic)',
      'portalId must be an integer (the HubSpot hub id)',
      'from must be an ISO 8601 date-time, e.g. 2026-11-28T08:00:00Z',
      'to must be an ISO 8601 date-time, e.g. 2026-11-28T09:00:00Z',
      'dryRun must be true or false',
      'property extra should not exist',
    ]));

    const reversed = await redrive({ topic: 'writebacks', portalId: 501, from: range.to, to: range.from });
    expect(reversed.status).toBe(400);
    expect(((await reversed.json()) as { message: string[] }).message).toEqual(['from must not be after to']);

    const weekDate = await redrive({ topic: 'writebacks', portalId: 501, from: '2026-W48', to: range.to });
    expect(weekDate.status).toBe(400);

    expect((await redrive({ topic: 'writebacks', portalId: 501, ...range }, { 'content-type': 'application/json' })).status).toBe(401);
    expect(await redrivenEvents()).toHaveLength(1);
  });
});
