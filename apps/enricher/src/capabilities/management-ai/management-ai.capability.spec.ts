import { startStory, type Portal } from '@app/common';
import { checkAnswer } from '../answer-schema';
import { DEAL_HEALTH, type DealHealth } from './deal-health.answer';
import { dealOfflineAnswer } from './deal-offline-rules';
import { DEAL_PROPERTIES } from './deal-writebacks';
import { MANAGEMENT_AI } from './management-ai.capability';

const now = new Date('2026-12-07T07:00:00Z');
const portal = { portalId: 9, settings: { review: { staleAfterDays: 14 }, managementAi: { reengageWithinHours: 48 } } } as unknown as Portal;
const reviewRequest = (reasons: string[]) =>
  startStory({ type: 'DealReviewRequested', portalId: 9, data: { review: { date: '2026-12-07', asOf: now.toISOString(), factsEventId: 'f-1' }, dealId: '42', inputHash: 'h', reasons } }, now);

describe('Management AI: derived facts', () => {
  it("takes the review's own reasons for its request", () => {
    expect(MANAGEMENT_AI.derive!({ trigger: reviewRequest(['stale', 'unknown-stage']), record: {}, portal })).toEqual({ attention: 'stale, unknown-stage' });
    expect(MANAGEMENT_AI.derive!({ trigger: reviewRequest([]), record: {}, portal })).toEqual({ attention: 'none' });
  });

  it("computes them with the portal's thresholds at the time of a change, and never counts days", () => {
    const change = startStory({ type: 'ObjectChanged', portalId: 9, data: { objectType: 'deals', objectId: '42', properties: { amount: '1' } } }, now);
    const record = { amount: '5000', closedate: '2026-11-01T00:00:00Z', hubspot_owner_id: '7', hs_next_step: 'Call', notes_last_contacted: '2026-11-01T00:00:00Z' };
    const derived = MANAGEMENT_AI.derive!({ trigger: change, record, portal });
    expect(derived).toEqual({ attention: 'stale, close-date-passed' });
    // A day later the deal is the same: so are its derived facts (and its prompt, so its answer is reused).
    const dayLater = startStory({ type: 'ObjectChanged', portalId: 9, data: { objectType: 'deals', objectId: '42', properties: { amount: '1' } } }, new Date(now.getTime() + 86_400_000));
    expect(MANAGEMENT_AI.derive!({ trigger: dayLater, record, portal })).toEqual(derived);
  });
});

describe('Management AI: offline rules', () => {
  it('score from the findings and the stage probability, say they are not AI, and pass the answer schema', () => {
    const stalled = dealOfflineAnswer({ 'derived.attention': 'stale, close-date-passed', hs_deal_stage_probability: '0.5' });
    expect(stalled).toMatchObject({ healthScore: 35, stallReason: 'no_recent_activity', attention: true });
    expect(stalled.summary).toMatch(/^\[Offline rules-based review, not AI\]/);
    expect(checkAnswer(DEAL_HEALTH, stalled).ok).toBe(true);
    const healthy = dealOfflineAnswer({ 'derived.attention': 'none', hs_deal_stage_probability: '0.9', hs_next_step: 'Sign' });
    expect(healthy).toMatchObject({ healthScore: 98, stallReason: 'none', attention: false });
    expect(checkAnswer(DEAL_HEALTH, dealOfflineAnswer({})).ok).toBe(true);
  });
});

describe('Management AI: writebacks', () => {
  const stalled = { healthScore: 30, stallReason: 'no_recent_activity' as const, attention: true, nextStep: 'Call Ana', summary: 'Quiet for a month.' };
  const moving = { ...stalled, healthScore: 85, stallReason: 'none' as const, attention: false };
  const input = (triggerType: string, answer: DealHealth, attention: string) => ({
    decisionId: 'd-1',
    triggerType,
    trigger: triggerType === 'DealReviewRequested' ? reviewRequest(attention === 'none' ? [] : attention.split(', ')) : undefined,
    objectId: '42',
    answer,
    portal,
    decidedAt: new Date(now.getTime() + 60_000),
    associated: { primaryContact: '5', primaryCompany: '6' },
    facts: { hubspot_owner_id: '7', 'derived.attention': attention },
  });

  it("writes a stalled deal's properties, a re-engagement task for its owner due per the portal's SLA, and a note on the deal, its contact and company", () => {
    const commands = MANAGEMENT_AI.planWritebacks(input('DealReviewRequested', stalled, 'stale'));
    expect(commands.map((c) => c.kind)).toEqual(['update-properties', 'create-task', 'create-note']);
    expect(commands[0]).toMatchObject({ objectType: 'deals', objectId: '42', properties: { [DEAL_PROPERTIES.healthScore]: '30', [DEAL_PROPERTIES.attention]: 'true', [DEAL_PROPERTIES.stallReason]: 'no_recent_activity' } });
    // Due 48 hours after the review's facts (the portal's reengageWithinHours), whenever the decision ran.
    expect(commands[1]).toMatchObject({ ownerId: '7', dueAt: '2026-12-09T07:00:00.000Z', alsoAssociate: [{ objectType: 'contacts', objectId: '5' }, { objectType: 'companies', objectId: '6' }] });
    expect(commands[2]).toMatchObject({ alsoAssociate: [{ objectType: 'contacts', objectId: '5' }, { objectType: 'companies', objectId: '6' }] });
  });

  it('writes only the properties of a deal that is moving, and of any deal re-assessed after a change', () => {
    expect(MANAGEMENT_AI.planWritebacks(input('DealReviewRequested', moving, 'missing-amount')).map((c) => c.kind)).toEqual(['update-properties']);
    expect(MANAGEMENT_AI.planWritebacks(input('ObjectChanged', stalled, 'stale')).map((c) => c.kind)).toEqual(['update-properties']);
  });

  it('leaves the task unassigned for a deal without an owner', () => {
    const task = MANAGEMENT_AI.planWritebacks({ ...input('DealReviewRequested', stalled, 'stale, missing-owner'), facts: { 'derived.attention': 'stale, missing-owner' } })[1]!;
    expect(task.kind).toBe('create-task');
    expect(task).not.toHaveProperty('ownerId');
  });
});
