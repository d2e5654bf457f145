import { startStory, type BackfillCounts, type BackfillRow } from '@app/common';
import { filterProblems } from './backfill.dto';
import { presentBackfill } from './backfill-report';

const now = new Date('2026-12-08T10:10:00Z');
const requested = startStory(
  { type: 'BackfillRequested', portalId: 9, data: { backfillId: 'b', capability: 'lead-ai', objectType: 'contacts', since: null, filter: null, limit: null, budgetShare: 0.25, requestedBy: 'admin-api' } },
  new Date('2026-12-08T10:00:00Z'),
);
const row: BackfillRow = {
  backfillId: requested.id, portalId: 9, capability: 'lead-ai', objectType: 'contacts', since: null, limit: null, status: 'running', reason: null, hubspotStatus: null,
  cursor: '600', pending: [], listed: 600, queued: 550, expected: 1000, exhausted: false, leaseOwner: 'x', leaseUntil: now, requestedAt: new Date('2026-12-08T10:00:00Z'), updatedAt: now, finishedAt: null,
};
const counts: BackfillCounts = { queued: 550, decided: 480, reused: 30, written: 470, failedDecisions: 5, failedWritebacks: 2, skipped: 15, skippedWritebacks: 0, costUsd: 1.25, settledRecently: 120, firstSettledAt: new Date('2026-12-08T10:01:00Z') };

describe('presentBackfill', () => {
  it('reports the listing, what the records came to, the cost and the time left at the last minute’s rate', () => {
    const report = presentBackfill(row, [requested], counts, now)!;
    expect(report.listing).toEqual({ listed: 600, queued: 550, expected: 1000, cursor: '600', done: false });
    expect(report.progress).toEqual({ decided: 480, reused: 30, written: 470, failed: 7, failedDecisions: 5, failedWritebacks: 2, skipped: 15, inFlight: 50 });
    expect(report.costUsd).toBe(1.25);
    // 120 records a minute; 1000 − 500 ended = 500 left: 250 s.
    expect(report.decidedPerMinute).toBe(120);
    expect(report.estimatedSecondsLeft).toBe(250);
  });

  it('says nothing about the time left while paused or before anything was decided, and 0 once finished', () => {
    expect(presentBackfill({ ...row, status: 'paused' }, [requested], counts, now)!.estimatedSecondsLeft).toBeNull();
    expect(presentBackfill(row, [requested], { ...counts, settledRecently: 0, firstSettledAt: null }, now)!.estimatedSecondsLeft).toBeNull();
    expect(presentBackfill({ ...row, status: 'completed' }, [requested], counts, now)!.estimatedSecondsLeft).toBe(0);
  });

  it('names why it failed and the scopes a 403 said are missing', () => {
    const failed = startStory({ type: 'BackfillFailed', portalId: 9, data: { reason: 'lacks crm.objects.contacts.read', hubspotStatus: 403, missingScopes: ['crm.objects.contacts.read'] } }, now);
    expect(presentBackfill({ ...row, status: 'failed', reason: 'lacks crm.objects.contacts.read' }, [requested, failed], counts, now)).toMatchObject({
      status: 'failed',
      reason: 'lacks crm.objects.contacts.read',
      missingScopes: ['crm.objects.contacts.read'],
    });
  });
});

describe('filterProblems', () => {
  it('asks each operator for what HubSpot needs', () => {
    expect(filterProblems([{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'lead' }, { propertyName: 'email', operator: 'HAS_PROPERTY' }, { propertyName: 'x', operator: 'IN', values: ['a'] }, { propertyName: 'n', operator: 'BETWEEN', value: '1', highValue: '2' }])).toEqual([]);
    expect(filterProblems([{ propertyName: 'a', operator: 'EQ' }, { propertyName: 'b', operator: 'IN', value: 'x' }, { propertyName: 'c', operator: 'BETWEEN', value: '1' }, { propertyName: 'd', operator: 'NOT_HAS_PROPERTY', value: 'x' }])).toEqual([
      'filter[0] (a EQ) needs value (one string) and nothing else',
      'filter[1] (b IN) needs values (a list) and nothing else',
      'filter[2] (c BETWEEN) needs value and highValue',
      'filter[3] (d NOT_HAS_PROPERTY) takes no value',
    ]);
  });
});
