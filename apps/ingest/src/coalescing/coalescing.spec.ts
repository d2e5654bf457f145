import { objectChangedFrom } from './coalescing';

const window = (changes: Array<[string, string, string | null, number]>) => ({
  portalId: 7,
  objectType: 'contacts' as const,
  objectId: '42',
  changes: changes.map(([eventId, propertyName, propertyValue, occurredAt]) => ({ eventId, propertyName, propertyValue, occurredAt })),
});
const now = new Date('2026-11-28T10:00:00Z');

describe('objectChangedFrom', () => {
  it('carries every changed property once, with the latest value by occurredAt, whatever the arrival order', () => {
    const event = objectChangedFrom(window([['e3', 'jobtitle', 'CEO', 3000], ['e1', 'jobtitle', 'CTO', 1000], ['e2', 'lifecyclestage', 'lead', 2000]]), now);
    expect(event).toMatchObject({ type: 'ObjectChanged', portalId: 7, data: { objectType: 'contacts', objectId: '42', properties: { jobtitle: 'CEO', lifecyclestage: 'lead' }, sourceEventIds: ['e1', 'e2', 'e3'] } });
    expect(event.data.firstOccurredAt).toBe(new Date(1000).toISOString());
    expect(event.occurredAt).toBe(new Date(3000).toISOString());
    expect(event.correlationId).toBe('e1');
    expect(event.causationId).toBe('e1');
  });

  it('derives its id from the source events, so flushing one window twice yields one event', () => {
    const a = objectChangedFrom(window([['e1', 'a', '1', 1], ['e2', 'b', '2', 2]]), now);
    const b = objectChangedFrom(window([['e2', 'b', '2', 2], ['e1', 'a', '1', 1]]), new Date());
    expect(a.id).toBe(b.id);
    expect(objectChangedFrom(window([['e1', 'a', '1', 1]]), now).id).not.toBe(a.id);
  });
});
