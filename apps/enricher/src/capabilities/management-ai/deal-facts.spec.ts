import { dealFacts, type DealRecord, type PipelineStages } from './deal-facts';
import { DEFAULT_STALE_AFTER_DAYS, reviewThresholds } from './review-thresholds';

describe('dealFacts', () => {
  const now = new Date('2026-12-07T08:00:00Z');
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
  const thresholds = { staleAfterDays: 14 };
  /** A healthy open deal: every field set, activity yesterday, closing next month. */
  const aDeal = (properties: Record<string, string | null> = {}): DealRecord => ({
    id: '101',
    properties: {
      pipeline: 'default',
      dealstage: 'qualifiedtobuy',
      amount: '12000',
      closedate: '2027-01-15T00:00:00Z',
      hubspot_owner_id: '77',
      hs_next_step: 'Send the proposal',
      hs_deal_stage_probability: '0.4',
      notes_last_contacted: daysAgo(1),
      hs_v2_date_entered_current_stage: daysAgo(20),
      createdate: daysAgo(60),
      ...properties,
    },
  });

  it('a healthy deal needs no attention and its facts are read as numbers', () => {
    expect(dealFacts(aDeal(), now, thresholds)).toEqual({
      dealId: '101',
      pipeline: 'default',
      stage: 'qualifiedtobuy',
      amount: 12000,
      daysSinceLastActivity: 1,
      activityLogged: true,
      daysInStage: 20,
      closeDate: '2027-01-15T00:00:00.000Z',
      closeDatePassed: false,
      missing: [],
      stageProbability: 0.4,
      stageKnown: null,
      attention: [],
    });
  });

  it('stale from the threshold on (14 days is stale, 13 is not)', () => {
    expect(dealFacts(aDeal({ notes_last_contacted: daysAgo(14) }), now, thresholds).attention).toEqual(['stale']);
    expect(dealFacts(aDeal({ notes_last_contacted: daysAgo(13.9) }), now, thresholds).attention).toEqual([]);
  });

  it('follows the portal’s threshold', () => {
    expect(dealFacts(aDeal({ notes_last_contacted: daysAgo(8) }), now, { staleAfterDays: 7 }).attention).toEqual(['stale']);
    expect(dealFacts(aDeal({ notes_last_contacted: daysAgo(20) }), now, { staleAfterDays: 30 }).attention).toEqual([]);
  });

  it('a deal with no activity ever logged counts from its creation, and says so', () => {
    const facts = dealFacts(aDeal({ notes_last_contacted: null, createdate: daysAgo(30) }), now, thresholds);
    expect(facts).toMatchObject({ daysSinceLastActivity: 30, activityLogged: false, attention: ['stale'] });
    expect(dealFacts(aDeal({ notes_last_contacted: null, createdate: null }), now, thresholds)).toMatchObject({ daysSinceLastActivity: null, attention: [] });
  });

  it('a close date in the past', () => {
    expect(dealFacts(aDeal({ closedate: '2026-12-01T00:00:00Z' }), now, thresholds)).toMatchObject({ closeDatePassed: true, attention: ['close-date-passed'] });
    // Epoch milliseconds, as older answers give dates.
    expect(dealFacts(aDeal({ closedate: String(now.getTime() - 1) }), now, thresholds).closeDatePassed).toBe(true);
  });

  it('missing amount, close date, owner and next step (null, empty or blank alike)', () => {
    const facts = dealFacts(aDeal({ amount: null, closedate: '', hubspot_owner_id: '  ', hs_next_step: null }), now, thresholds);
    expect(facts.missing).toEqual(['amount', 'closedate', 'owner', 'next_step']);
    expect(facts.attention).toEqual(['missing-amount', 'missing-close-date', 'missing-owner', 'missing-next-step']);
    expect(facts.closeDatePassed).toBe(false);
  });

  it('an amount HubSpot sends as text that is no number counts as missing', () => {
    expect(dealFacts(aDeal({ amount: 'n/a' }), now, thresholds)).toMatchObject({ amount: null, missing: ['amount'] });
  });

  it('a property HubSpot omits altogether is missing too', () => {
    const facts = dealFacts({ id: '5', properties: { createdate: daysAgo(2) } }, now, thresholds);
    expect(facts).toMatchObject({ pipeline: null, stage: null, amount: null, daysInStage: null, stageProbability: null });
    expect(facts.missing).toEqual(['amount', 'closedate', 'owner', 'next_step']);
  });

  it('no stage entry date: days in stage unknown, not zero', () => {
    expect(dealFacts(aDeal({ hs_v2_date_entered_current_stage: null }), now, thresholds).daysInStage).toBeNull();
  });

  describe('with the portal’s pipelines read', () => {
    const pipelines: PipelineStages = new Map([['default', new Map([['qualifiedtobuy', { probability: 0.5 }], ['appointmentscheduled', { probability: null }]])]]);

    it('takes the stage’s probability from its pipeline', () => {
      expect(dealFacts(aDeal(), now, thresholds, pipelines)).toMatchObject({ stageKnown: true, stageProbability: 0.5, attention: [] });
      expect(dealFacts(aDeal({ dealstage: 'appointmentscheduled' }), now, thresholds, pipelines)).toMatchObject({ stageKnown: true, stageProbability: 0.4 });
    });

    it('a stage or pipeline that was deleted needs attention', () => {
      expect(dealFacts(aDeal({ dealstage: 'deleted-stage' }), now, thresholds, pipelines)).toMatchObject({ stageKnown: false, stageProbability: 0.4, attention: ['unknown-stage'] });
      expect(dealFacts(aDeal({ pipeline: '987' }), now, thresholds, pipelines).attention).toEqual(['unknown-stage']);
      expect(dealFacts(aDeal({ pipeline: null }), now, thresholds, pipelines).attention).toEqual(['unknown-stage']);
    });
  });

  it('a probability outside 0–1 is not believed', () => {
    expect(dealFacts(aDeal({ hs_deal_stage_probability: '40' }), now, thresholds).stageProbability).toBeNull();
  });

  it('a date slightly in the future (clock skew) is 0 days ago', () => {
    expect(dealFacts(aDeal({ notes_last_contacted: new Date(now.getTime() + 60_000).toISOString() }), now, thresholds).daysSinceLastActivity).toBe(0);
  });
});

describe('reviewThresholds', () => {
  it('defaults to 14 days', () => {
    expect(DEFAULT_STALE_AFTER_DAYS).toBe(14);
    expect(reviewThresholds({})).toEqual({ thresholds: { staleAfterDays: 14 } });
    expect(reviewThresholds(undefined)).toEqual({ thresholds: { staleAfterDays: 14 } });
    expect(reviewThresholds({ review: { dailyAt: '07:30' } })).toEqual({ thresholds: { staleAfterDays: 14 } });
  });

  it('takes the portal’s own', () => {
    expect(reviewThresholds({ review: { staleAfterDays: 30 } })).toEqual({ thresholds: { staleAfterDays: 30 } });
  });

  it.each([0, -3, 2.5, '14', 366])('falls back to the default for %p and names the problem', (value) => {
    const read = reviewThresholds({ review: { staleAfterDays: value } });
    expect(read.thresholds.staleAfterDays).toBe(14);
    expect(read.problem).toMatch(/^settings\.review\.staleAfterDays .* is not a whole number of days from 1 to 365: used 14$/);
  });
});
