import { Outcome, startStory, type EventStore, type HandlerOutcome, type PlatformEvent } from '@app/common';
import type { DealAssessments } from '../capabilities/management-ai/deal-assessments';
import type { DecisionFlow } from '../decisions/decision-flow';
import { DealReviewTriggers } from './deal-review-triggers';

describe('DealReviewTriggers', () => {
  const now = new Date('2026-12-07T07:00:00Z');
  const request = (extra: Partial<PlatformEvent<'DealReviewRequested'>['data']> = {}) =>
    startStory({ type: 'DealReviewRequested', portalId: 9, data: { review: { date: '2026-12-07', asOf: now.toISOString(), factsEventId: 'f' }, dealId: '42', inputHash: 'h-1', reasons: ['stale'], ...extra } }, now) as PlatformEvent<'DealReviewRequested'>;
  const build = (outcome: HandlerOutcome) => {
    const run = jest.fn(async () => outcome);
    const remember = jest.fn(async () => undefined);
    const append = jest.fn(async () => ({ kind: 'appended' }));
    const triggers = new DealReviewTriggers({ run } as unknown as DecisionFlow, { remember } as unknown as DealAssessments, { append } as unknown as EventStore, () => now);
    return { triggers, run, remember, append };
  };

  it('decides the deal with Management AI and remembers its input hash once the decision is recorded', async () => {
    const { triggers, run, remember, append } = build(Outcome.done());
    const trigger = request();
    expect(await triggers.route(trigger)).toEqual(Outcome.done());
    expect(run).toHaveBeenCalledWith(expect.objectContaining({ name: 'management-ai' }), { trigger, triggerType: 'DealReviewRequested', objectId: '42' });
    expect(remember).toHaveBeenCalledWith(9, '42', 'h-1', trigger.id, now);
    expect(append).not.toHaveBeenCalled();
  });

  it.each([
    ['retried', Outcome.retry('HubSpot answered 503')],
    ['dead-lettered', Outcome.deadLetter('HubSpot refused the token')],
  ])('remembers nothing for a request %s: the next review asks again', async (_, outcome) => {
    const { triggers, remember } = build(outcome);
    expect(await triggers.route(request())).toEqual(outcome);
    expect(remember).not.toHaveBeenCalled();
  });

  it('records a dropped request as skipped on the deal’s story and remembers nothing', async () => {
    const { triggers, remember, append } = build(Outcome.drop('portal 9 is paused'));
    expect(await triggers.route(request())).toEqual(Outcome.drop('portal 9 is paused'));
    expect(remember).not.toHaveBeenCalled();
    expect(append).toHaveBeenCalledWith({ streamId: 'crm-9-deals-42', events: [expect.objectContaining({ type: 'TriggerSkipped', data: expect.objectContaining({ reason: 'portal 9 is paused' }) })] });
  });

  it('remembers no hash for a company workflow’s request: the next review compares with its own last one', async () => {
    const { triggers, remember } = build(Outcome.done());
    expect(await triggers.route(request({ inputHash: '', via: { kind: 'company-workflow', companyId: '5' } }))).toEqual(Outcome.done());
    expect(remember).not.toHaveBeenCalled();
  });
});
