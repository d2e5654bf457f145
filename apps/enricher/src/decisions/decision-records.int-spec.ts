import { EventStore, startStory, StreamIds, type PlatformEvent } from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { DecisionRecords } from './decision-records';

describe('DecisionRecords (real Postgres)', () => {
  let db: TestDatabase;
  let store: EventStore;
  let records: DecisionRecords;
  const now = new Date('2026-11-28T10:00:00Z');

  const decision = (portalId: number, hash: string, score: number) =>
    startStory(
      {
        type: 'DecisionMade',
        portalId,
        data: {
          trigger: { eventId: 'x', type: 'contact.creation' },
          prompt: { id: 'lead-scoring', version: 3, hash },
          provider: 'anthropic',
          model: 'claude-sonnet-5-5',
          input: {},
          output: { score },
          usage: { inputTokens: 1, outputTokens: 1, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
          latencyMs: 1,
        },
      },
      now,
    ) as PlatformEvent<'DecisionMade'>;

  beforeAll(async () => {
    db = await createTestDatabase('decisions');
    store = new EventStore(db.dataSource);
    records = new DecisionRecords(db.dataSource);
  }, 30_000);
  afterAll(() => db?.drop());

  it('finds the latest decision of the same portal with the same rendered-prompt hash, and nothing across portals', async () => {
    const first = decision(1, 'a'.repeat(64), 10);
    const second = decision(1, 'a'.repeat(64), 20);
    await store.append({ streamId: StreamIds.crmObject(1, 'contacts', '5'), events: [first] });
    await store.append({ streamId: StreamIds.crmObject(1, 'contacts', '6'), events: [second, decision(1, 'b'.repeat(64), 30)] });
    await store.append({ streamId: StreamIds.crmObject(2, 'contacts', '5'), events: [decision(2, 'c'.repeat(64), 40)] });

    expect(await records.findByPromptHash(1, 'a'.repeat(64))).toEqual({ id: second.id, data: expect.objectContaining({ output: { score: 20 } }) });
    expect(await records.findByPromptHash(2, 'a'.repeat(64))).toBeUndefined();
    expect(await records.findByPromptHash(1, 'c'.repeat(64))).toBeUndefined();
  });

  it('uses the partial index rather than scanning every event', async () => {
    // A tiny table would be scanned anyway; forbid that on this one connection to see the index is usable.
    const plan: Array<{ 'QUERY PLAN': string }> = await db.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off');
      return manager.query(`EXPLAIN SELECT event_id, data FROM events WHERE type = 'DecisionMade' AND portal_id = 1 AND data->'prompt'->>'hash' = 'x' ORDER BY global_position DESC LIMIT 1`);
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('events_decision_prompt_hash');
  });
});
