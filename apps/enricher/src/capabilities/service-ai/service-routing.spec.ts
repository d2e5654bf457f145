import type { ServiceRoutingSettings } from '@app/common';
import { chooseTicketAssignee, responseDueAt } from './service-routing';

describe('Service AI routing', () => {
  const routing: ServiceRoutingSettings = {
    defaultOwnerId: '10',
    rules: [
      { category: 'billing_issue', teamId: '3' },
      { minPriority: 'URGENT', ownerId: '99' },
      { category: 'technical_issue', minPriority: 'HIGH', ownerId: '20', teamId: '4' },
    ],
    slaHours: { URGENT: 0.5 },
  };

  it('takes the first rule that matches the category and the minimum priority', () => {
    expect(chooseTicketAssignee({ category: 'billing_issue', priority: 'LOW' }, routing)).toEqual({ teamId: '3' });
    expect(chooseTicketAssignee({ category: 'technical_issue', priority: 'URGENT' }, routing)).toEqual({ ownerId: '99' });
    expect(chooseTicketAssignee({ category: 'technical_issue', priority: 'HIGH' }, routing)).toEqual({ ownerId: '20', teamId: '4' });
  });

  it('falls back to the default owner, or leaves the ticket as it is without one', () => {
    expect(chooseTicketAssignee({ category: 'technical_issue', priority: 'MEDIUM' }, routing)).toEqual({ ownerId: '10' });
    expect(chooseTicketAssignee({ category: 'other', priority: 'LOW' }, {})).toEqual({});
  });

  it('sets the response due time from the portal’s SLA for the priority, else the defaults', () => {
    const decidedAt = new Date('2026-11-28T10:00:00Z');
    expect(responseDueAt(decidedAt, 'URGENT', routing)).toEqual({ dueAt: '2026-11-28T10:30:00.000Z', hours: 0.5 });
    expect(responseDueAt(decidedAt, 'HIGH', routing)).toEqual({ dueAt: '2026-11-28T14:00:00.000Z', hours: 4 });
    expect(responseDueAt(decidedAt, 'LOW')).toEqual({ dueAt: '2026-12-01T10:00:00.000Z', hours: 72 });
  });
});
