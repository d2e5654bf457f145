import { budgetUseOf } from './budget-use';
import { hubspotCallRecorder, hubspotStatusLabel, rateLimitPolicyLabel } from './hubspot-call-metrics';
import { PlatformMetrics, TOP_PORTALS } from './platform-metrics';
import { initialBudgetState, effectiveShape, utcDay } from '../hubspot/budget/token-bucket';
import { hubSpotLimitsFor } from '../hubspot/budget/api-limits';

const series = async (metrics: PlatformMetrics, name: string) => (await metrics.registry.getSingleMetric(name)!.get()).values;

describe('PlatformMetrics', () => {
  it('names every family hubspot_ai_* with a help text, labelled with the service', async () => {
    const metrics = new PlatformMetrics('writer');
    const families = await metrics.registry.getMetricsAsJSON();
    expect(families.length).toBeGreaterThan(20);
    for (const family of families) {
      expect(family.name).toMatch(/^hubspot_ai_/);
      expect(family.help.length).toBeGreaterThan(10);
    }
    expect(await metrics.registry.metrics()).toContain('service="writer"');
  });

  it('shows the writer queue depth of at most the top N portals and folds the rest into "other"', async () => {
    const metrics = new PlatformMetrics('writer', { processMetrics: false });
    metrics.sources.writerQueueDepths = () => Array.from({ length: 300 }, (_, i) => [String(10_000 + i), i + 1] as const);
    const values = await series(metrics, 'hubspot_ai_writer_queue_depth');
    expect(values).toHaveLength(TOP_PORTALS + 1);
    expect(values.find((v) => v.labels.portal === 'other')!.value).toBe(((300 - TOP_PORTALS) * (300 - TOP_PORTALS + 1)) / 2);
    // A portal that drained is gone at the next scrape.
    metrics.sources.writerQueueDepths = () => [['10001', 2]];
    expect(await series(metrics, 'hubspot_ai_writer_queue_depth')).toEqual([expect.objectContaining({ labels: { portal: '10001' }, value: 2 })]);
  });

  it('shows the budget ratio of at most the top N portals, and the calls used and allowed across all', async () => {
    const metrics = new PlatformMetrics('writer', { processMetrics: false });
    metrics.sources.budgets = async () => [
      ...Array.from({ length: 50 }, (_, i) => ({ portalId: i, used: i * 100, allowed: 10_000 })),
      { portalId: 999, used: 5, allowed: null },
    ];
    const ratios = await series(metrics, 'hubspot_ai_hubspot_budget_daily_used_ratio');
    expect(ratios).toHaveLength(TOP_PORTALS);
    expect(ratios[0]).toMatchObject({ labels: { portal: '49' }, value: 0.49 });
    const calls = await series(metrics, 'hubspot_ai_hubspot_budget_daily_calls');
    expect(calls).toEqual(expect.arrayContaining([expect.objectContaining({ labels: { kind: 'used' }, value: 122_500 }), expect.objectContaining({ labels: { kind: 'allowed' }, value: 500_000 })]));
  });

  it('empties a gauge whose source fails instead of failing the scrape', async () => {
    const metrics = new PlatformMetrics('enricher', { processMetrics: false });
    metrics.sources.consumerLag = async () => [{ group: 'g', topic: 't', partition: 0, lag: 5 }];
    expect(await series(metrics, 'hubspot_ai_kafka_consumer_lag')).toHaveLength(1);
    metrics.sources.consumerLag = async () => {
      throw new Error('Kafka unreachable');
    };
    expect(await series(metrics, 'hubspot_ai_kafka_consumer_lag')).toEqual([]);
    await expect(metrics.registry.metrics()).resolves.toContain('hubspot_ai_kafka_consumer_lag');
  });

  it('counts HubSpot calls by status with a bounded label, and 429s by policy', async () => {
    const metrics = new PlatformMetrics('writer', { processMetrics: false });
    const record = hubspotCallRecorder(metrics);
    const failed = (code: number | string, body?: unknown) => ({ ok: false as const, operation: 'objects.batchUpdate' as const, apiVersion: '2026-03', error: { code, headers: {}, message: 'x', body } });
    record({ operation: 'objects.batchUpdate', durationMs: 120, result: { ok: true, operation: 'objects.batchUpdate', apiVersion: '2026-03', status: 200, headers: {}, body: {} } });
    record({ operation: 'objects.batchUpdate', durationMs: 5, result: failed(429, { policyName: 'TEN_SECONDLY_ROLLING' }) });
    record({ operation: 'objects.batchUpdate', durationMs: 5, result: failed(429, { policyName: 'made-up' }) });
    record({ operation: 'objects.batchUpdate', durationMs: 30_000, result: failed('ETIMEDOUT') });
    expect(hubspotStatusLabel({ result: failed('ECONNRESET') })).toBe('network');
    expect(rateLimitPolicyLabel('not json')).toBe('other');
    const calls = await series(metrics, 'hubspot_ai_hubspot_calls_total');
    expect(calls.map((c) => [c.labels.status, c.value])).toEqual([['200', 1], ['429', 2], ['timeout', 1]]);
    const limited = await series(metrics, 'hubspot_ai_hubspot_rate_limited_total');
    expect(limited.map((c) => [c.labels.policy, c.value])).toEqual([['TEN_SECONDLY_ROLLING', 1], ['other', 1]]);
  });
});

describe('budgetUseOf', () => {
  it("is today's count against the daily share after headroom; yesterday's count is 0 today", () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    const plan = { tier: 'professional' as const };
    const state = { ...initialBudgetState(effectiveShape(hubSpotLimitsFor(plan), 0.1, undefined), now), dayCount: 1_000 };
    expect(budgetUseOf(7, state, plan, 0.1, now)).toEqual({ portalId: 7, used: 1_000, allowed: 562_500 });
    expect(budgetUseOf(7, { ...state, day: utcDay(now - 86_400_000) }, plan, 0.1, now).used).toBe(0);
    expect(budgetUseOf(7, state, { appType: 'public' }, 0.1, now).allowed).toBeNull();
  });
});
