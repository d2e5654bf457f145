import type { PipelineReviewFacts, ReviewedDeal } from '@app/common';
import { composeDigests, dealUrl, type AssessedDeal, type DigestSources } from './digest-composition';

const PORTAL = 5151;

function aDeal(dealId: string, overrides: Partial<ReviewedDeal> = {}): ReviewedDeal {
  return {
    dealId,
    ownerId: '77',
    amount: 1000,
    pipeline: 'default',
    stage: 'qualifiedtobuy',
    closeDate: '2027-01-15T00:00:00.000Z',
    reasons: ['stale'],
    daysSinceLastActivity: 30,
    activityLogged: true,
    daysInStage: 10,
    closeDatePassed: false,
    stageProbability: 0.4,
    ...overrides,
  };
}

function facts(date: string, needingAttention: ReviewedDeal[], counts: Partial<PipelineReviewFacts['counts']> = {}, leftOut = 0): PipelineReviewFacts {
  return {
    trigger: { eventId: 'e', type: 'DailyReviewScheduled' },
    date,
    timeZone: 'Europe/Berlin',
    asOf: `${date}T07:00:00.000Z`,
    thresholds: { staleAfterDays: 14 },
    counts: { openDeals: 10, needingAttention: needingAttention.length + leftOut, byReason: {}, byStage: [], byCloseDate: {}, ...counts },
    changedWhilePaging: false,
    truncated: false,
    searchCalls: 1,
    needingAttention,
    needingAttentionLeftOut: leftOut,
  };
}

function assessed(decisionId: string, overrides: Partial<AssessedDeal> = {}): AssessedDeal {
  return {
    kind: 'assessed',
    decisionId,
    assessedAt: '2026-12-07T07:05:00.000Z',
    healthScore: 70,
    stallReason: 'none',
    attention: false,
    nextStep: 'Call Jane about the renewal',
    summary: 'Moving, slowly.',
    text: 'writeback',
    ...overrides,
  };
}

function sources(overrides: Partial<DigestSources> = {}): DigestSources {
  return {
    portalId: PORTAL,
    uiDomain: null,
    today: facts('2026-12-07', []),
    previous: { date: '2026-12-06', facts: null },
    assessments: new Map(),
    settings: undefined,
    ...overrides,
  };
}

describe('composeDigests', () => {
  it('gives each owner their flagged deals in the review order, with reasons, score and next step', () => {
    const today = facts('2026-12-07', [aDeal('3', { ownerId: '88', reasons: ['stale', 'missing-next-step'] }), aDeal('1', { amount: 5000 }), aDeal('2', { amount: null })]);
    const { owners } = composeDigests(sources({ today, assessments: new Map([['1', assessed('d1', { healthScore: 55 })]]) }));
    expect(owners.map((o) => [o.ownerId, o.deals.map((d) => d.dealId), o.amount])).toEqual([
      ['77', ['1', '2'], 5000],
      ['88', ['3'], 1000],
    ]);
    expect(owners[0]!.deals[0]).toEqual({
      dealId: '1',
      ownerId: '77',
      amount: 5000,
      pipeline: 'default',
      stage: 'qualifiedtobuy',
      closeDate: '2027-01-15T00:00:00.000Z',
      reasons: ['stale'],
      url: `https://app.hubspot.com/contacts/${PORTAL}/record/0-3/1`,
      assessment: assessed('d1', { healthScore: 55 }),
    });
  });

  it('says an assessment is pending when the deal has none yet, and counts them', () => {
    const today = facts('2026-12-07', [aDeal('1'), aDeal('2')]);
    const { owners, leadership } = composeDigests(sources({ today, assessments: new Map([['2', assessed('d2')]]) }));
    expect(owners[0]!.deals.map((d) => d.assessment.kind)).toEqual(['pending', 'assessed']);
    expect(leadership.counts.assessmentsPending).toBe(1);
  });

  it('puts deals without an owner in the leadership digest only', () => {
    const today = facts('2026-12-07', [aDeal('1', { ownerId: null, reasons: ['missing-owner'] }), aDeal('2')]);
    const { owners, leadership } = composeDigests(sources({ today }));
    expect(owners.map((o) => o.ownerId)).toEqual(['77']);
    expect(leadership.unowned.map((d) => d.dealId)).toEqual(['1']);
  });

  it('sets each pipeline against its target, a target without open deals included', () => {
    const today = facts('2026-12-07', [], {
      byStage: [
        { pipeline: 'default', stage: 'a', deals: 2, amount: 30_000, withoutAmount: 0 },
        { pipeline: 'default', stage: 'b', deals: 1, amount: 10_000, withoutAmount: 1 },
        { pipeline: 'renewals', stage: 'c', deals: 1, amount: 500, withoutAmount: 0 },
      ],
    });
    const settings = { managerOwnerId: '900', pipelineTargets: [{ pipelineId: 'default', amount: 80_000 }, { pipelineId: 'new-biz', amount: 20_000 }] };
    const { leadership } = composeDigests(sources({ today, settings }));
    expect(leadership.managerOwnerId).toBe('900');
    expect(leadership.pipelines!.map(({ pipeline, target, deals, amount, withoutAmount, ofTarget }) => ({ pipeline, target, deals, amount, withoutAmount, ofTarget }))).toEqual([
      { pipeline: 'default', target: 80_000, deals: 3, amount: 40_000, withoutAmount: 1, ofTarget: 0.5 },
      { pipeline: 'new-biz', target: 20_000, deals: 0, amount: 0, withoutAmount: 0, ofTarget: 0 },
      { pipeline: 'renewals', target: null, deals: 1, amount: 500, withoutAmount: 0, ofTarget: null },
    ]);
    expect(leadership.pipelines![0]!.stages.map((s) => s.stage)).toEqual(['a', 'b']);
  });

  it('says so when the facts were recorded before they totalled stages and close dates', () => {
    const today = facts('2026-12-07', [aDeal('1', { closeDate: undefined })], { byStage: undefined, byCloseDate: undefined });
    const { leadership } = composeDigests(sources({ today }));
    expect(leadership.pipelines).toBeNull();
    expect(leadership.closingThisWeek).toEqual({ from: '2026-12-07', to: '2026-12-13', open: null, needingAttention: [] });
  });

  it('lists the deals at risk (attention flag or health under 40), lowest score first, with their amount', () => {
    const today = facts('2026-12-07', [aDeal('1', { amount: 100 }), aDeal('2', { amount: 200 }), aDeal('3', { amount: 300 }), aDeal('4', { amount: 400 })]);
    const assessments = new Map([
      ['1', assessed('d1', { healthScore: 39 })],
      ['2', assessed('d2', { healthScore: 80, attention: true })],
      ['3', assessed('d3', { healthScore: 40 })],
    ]);
    const { leadership } = composeDigests(sources({ today, assessments }));
    expect(leadership.atRisk.deals.map((d) => d.dealId)).toEqual(['1', '2']);
    expect(leadership.atRisk.amount).toBe(300);
  });

  it('counts every open deal closing in the local week and lists the flagged ones', () => {
    const today = facts('2026-12-07', [aDeal('1', { closeDate: '2026-12-07T00:00:00.000Z' }), aDeal('2', { closeDate: '2026-12-14T00:00:00.000Z' }), aDeal('3', { closeDate: null })], {
      byCloseDate: { '2026-12-06': { deals: 4, amount: 1 }, '2026-12-07': { deals: 2, amount: 3000 }, '2026-12-13': { deals: 1, amount: 500 }, '2026-12-14': { deals: 9, amount: 9 } },
    });
    const { leadership } = composeDigests(sources({ today }));
    expect(leadership.closingThisWeek.open).toEqual({ deals: 3, amount: 3500 });
    expect(leadership.closingThisWeek.needingAttention.map((d) => d.dealId)).toEqual(['1']);
  });

  it('says what changed since the previous review: deals newly flagged, deals no longer flagged, count deltas', () => {
    const previous = { date: '2026-12-06', facts: facts('2026-12-06', [aDeal('1'), aDeal('2', { ownerId: '88', amount: 700 })], { openDeals: 12 }) };
    const today = facts('2026-12-07', [aDeal('1'), aDeal('3')], { openDeals: 10 });
    const { leadership } = composeDigests(sources({ today, previous, uiDomain: 'app-eu1.hubspot.com' }));
    expect(leadership.changes).toEqual({
      kind: 'compared',
      previousDate: '2026-12-06',
      newlyNeedingAttention: [expect.objectContaining({ dealId: '3' })],
      noLongerNeedingAttention: [{ dealId: '2', ownerId: '88', amount: 700, url: `https://app-eu1.hubspot.com/contacts/${PORTAL}/record/0-3/2` }],
      openDeals: { before: 12, after: 10, delta: -2 },
      needingAttention: { before: 2, after: 2, delta: 0 },
      partial: false,
    });
  });

  it('marks the changes partial when either day left flagged deals out, and says when there was no previous review', () => {
    const previous = { date: '2026-12-06', facts: facts('2026-12-06', [aDeal('1')], {}, 3) };
    expect(composeDigests(sources({ today: facts('2026-12-07', [aDeal('1')]), previous })).leadership.changes).toMatchObject({ kind: 'compared', partial: true });
    expect(composeDigests(sources()).leadership.changes).toEqual({ kind: 'no-previous-review', previousDate: '2026-12-06' });
  });

  it('an empty portal: no owner digest, a leadership digest of zeros', () => {
    const { owners, leadership } = composeDigests(sources({ today: facts('2026-12-07', [], { openDeals: 0 }) }));
    expect(owners).toEqual([]);
    expect(leadership).toEqual({
      managerOwnerId: null,
      counts: { openDeals: 0, needingAttention: 0, needingAttentionLeftOut: 0, assessmentsPending: 0 },
      pipelines: [],
      atRisk: { deals: [], amount: 0 },
      closingThisWeek: { from: '2026-12-07', to: '2026-12-13', open: { deals: 0, amount: 0 }, needingAttention: [] },
      changes: { kind: 'no-previous-review', previousDate: '2026-12-06' },
      unowned: [],
    });
  });

  it('links deals on the portal\'s own HubSpot host', () => {
    expect(dealUrl('app-eu1.hubspot.com', 1, '42')).toBe('https://app-eu1.hubspot.com/contacts/1/record/0-3/42');
    expect(dealUrl(null, 1, '42')).toBe('https://app.hubspot.com/contacts/1/record/0-3/42');
  });
});
