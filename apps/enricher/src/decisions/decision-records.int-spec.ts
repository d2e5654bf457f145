import { EventStore, startStory, StreamIds, type PlatformEvent } from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { DecisionRecords } from './decision-records';

describe('DecisionRecords (real Postgres)', () => {
  let db: TestDatabase;
  let store: EventStore;
  let records: DecisionRecords;
  const now = new Date('2026-11-28T10:00:00Z');

  const decision = (portalId: number, hash: string, score: number, triggerType = 'contact.creation', at = now) =>
    startStory(
      {
        type: 'DecisionMade',
        portalId,
        data: {
          trigger: { eventId: 'x', type: triggerType },
          prompt: { id: 'lead-scoring', version: 3, hash },
          provider: 'anthropic',
          model: 'claude-sonnet-5-5',
          input: {},
          output: { score },
          usage: { inputTokens: 1, outputTokens: 1, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
          latencyMs: 1,
        },
      },
      at,
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

  it('reads a portal’s model calls by time through an index (cost report: events_model_calls; replay selection)', async () => {
    const plans = await db.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off');
      const explain = async (sql: string) => ((await manager.query(`EXPLAIN ${sql}`)) as Array<{ 'QUERY PLAN': string }>).map((r) => r['QUERY PLAN']).join('\n');
      return [
        await explain(`SELECT count(*) FROM events WHERE type IN ('DecisionMade', 'DecisionFailed', 'DecisionReplayed', 'DecisionReplayFailed') AND portal_id = 1 AND recorded_at >= now() - interval '1 day'`),
        await explain(`SELECT event_id FROM events WHERE type = 'DecisionMade' AND portal_id = 1 AND recorded_at >= now() - interval '1 day' ORDER BY global_position LIMIT 20`),
      ];
    });
    expect(plans[0]).toContain('events_model_calls');
    // The replay selection reads one of the portal's partial decision indexes, whichever the planner prefers.
    expect(plans[1]).toMatch(/Index Scan using events_(model_calls|decision_prompt_hash)/);
  });

  it('counts the decisions changes caused on one record since a moment, and nothing else', async () => {
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    const stream = StreamIds.crmObject(3, 'contacts', '9');
    await store.append({
      streamId: stream,
      events: [
        decision(3, 'd'.repeat(64), 1, 'contact.creation', hoursAgo(1)),
        decision(3, 'd'.repeat(64), 2, 'ObjectChanged', hoursAgo(30)),
        decision(3, 'd'.repeat(64), 3, 'ObjectChanged', hoursAgo(2)),
        decision(3, 'd'.repeat(64), 4, 'ObjectChanged', hoursAgo(0.1)),
      ],
    });
    await store.append({ streamId: StreamIds.crmObject(3, 'contacts', '10'), events: [decision(3, 'e'.repeat(64), 5, 'ObjectChanged', now)] });

    expect(await records.countChangeDecisionsSince(stream, hoursAgo(24))).toBe(2);
    expect(await records.countChangeDecisionsSince(stream, hoursAgo(48))).toBe(3);
    expect(await records.countChangeDecisionsSince(StreamIds.crmObject(3, 'contacts', '11'), hoursAgo(24))).toBe(0);
  });
});
