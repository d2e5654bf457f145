import { DEAL_REVIEW_PROPERTIES, type DealRecord } from './deal-facts';
import { DEAL_CONTEXT_FIELDS } from './deal-health.prompt';
import { planAssessments, reviewInputHash } from './review-requests';

const now = new Date('2026-12-07T07:00:00Z');
const daysAgo = (days: number, from = now) => new Date(from.getTime() - days * 86_400_000).toISOString();
const PROMPT = 'deal-health@1 anthropic/claude-haiku-5-5';
const deal = (properties: Record<string, string>): DealRecord => ({
  id: '42',
  properties: { dealname: 'Renewal', pipeline: 'default', dealstage: 'qualifiedtobuy', amount: '1000', closedate: '2027-03-01T00:00:00Z', hubspot_owner_id: '7', hs_next_step: 'Call', notes_last_contacted: daysAgo(30), createdate: daysAgo(90), ...properties },
});
const thresholds = { staleAfterDays: 14 };

describe('the review’s change detection', () => {
  it('lists every property the deal prompt reads (else it would hash as absent for ever)', () => {
    for (const field of DEAL_CONTEXT_FIELDS) expect(DEAL_REVIEW_PROPERTIES).toContain(field);
  });

  it('does not move for the platform’s own writes, nor for a day passing', () => {
    const before = reviewInputHash(deal({}), ['stale'], PROMPT);
    expect(reviewInputHash(deal({ ai_health_score: '40', ai_summary: 'x', hs_lastmodifieddate: daysAgo(0), notes_last_updated: daysAgo(0) }), ['stale'], PROMPT)).toBe(before);
    const previous = new Map([['42', before]]);
    // Yesterday and today the deal is stale: the same findings, the same hash, nothing asked.
    expect(planAssessments({ deals: [deal({})], now, thresholds, prompt: PROMPT, previous })).toEqual({ requests: [], unchanged: 1 });
    expect(planAssessments({ deals: [deal({})], now: new Date(now.getTime() + 86_400_000), thresholds, prompt: PROMPT, previous })).toEqual({ requests: [], unchanged: 1 });
  });

  it('moves for what the assessment rests on: a property the prompt reads, a finding, the prompt version, who answers', () => {
    const previous = new Map([['42', reviewInputHash(deal({}), ['stale'], PROMPT)]]);
    const asked = (d: DealRecord, prompt = PROMPT) => planAssessments({ deals: [d], now, thresholds, prompt, previous }).requests.map((r) => r.dealId);
    expect(asked(deal({ amount: '2000' }))).toEqual(['42']);
    expect(asked(deal({ closedate: daysAgo(1) }))).toEqual(['42']);
    expect(asked(deal({}), 'deal-health@2 anthropic/claude-haiku-5-5')).toEqual(['42']);
    expect(asked(deal({}), 'deal-health@1 offline-rules/offline-rules-v1')).toEqual(['42']);
    // A logged call ends the stall: the findings change, so the deal is asked about again (and its flag cleared).
    expect(planAssessments({ deals: [deal({ notes_last_contacted: daysAgo(1) })], now, thresholds, prompt: PROMPT, previous }).requests).toEqual([expect.objectContaining({ dealId: '42', reasons: [] })]);
  });

  it('leaves alone a healthy deal never assessed', () => {
    expect(planAssessments({ deals: [deal({ notes_last_contacted: daysAgo(1) })], now, thresholds, prompt: PROMPT, previous: new Map() })).toEqual({ requests: [], unchanged: 0 });
  });
});
