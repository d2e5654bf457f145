import { causedBy, deterministicId, envelopeProblems, startStory } from './envelope';

const now = new Date('2026-11-28T10:00:00Z');

describe('event envelope', () => {
  it('starts a story whose correlation id is its own id', () => {
    const first = startStory({ type: 'X', portalId: 1, data: { a: 1 } }, now);
    expect(first).toMatchObject({ type: 'X', portalId: 1, causationId: null, schemaVersion: 1, recordedAt: now.toISOString(), occurredAt: now.toISOString() });
    expect(first.correlationId).toBe(first.id);
    expect(envelopeProblems(first)).toEqual([]);
  });

  it('carries the correlation id along and points at its cause', () => {
    const first = startStory({ type: 'A', portalId: 1, data: {} }, now);
    const second = causedBy(first, { type: 'B', portalId: 1, data: {} }, now);
    const third = causedBy(second, { type: 'C', portalId: 1, data: {} }, now);
    expect([second.correlationId, third.correlationId]).toEqual([first.id, first.id]);
    expect(third.causationId).toBe(second.id);
  });

  it('derives stable UUIDs from their parts', () => {
    const id = deterministicId('a', 1, 'b');
    expect(id).toBe(deterministicId('a', 1, 'b'));
    expect(id).not.toBe(deterministicId('a', 1, 'c'));
    expect(id).not.toBe(deterministicId('a1', 'b'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('names what is wrong with a malformed envelope', () => {
    expect(envelopeProblems({ id: 'x', type: '', portalId: -1, occurredAt: 'never', recordedAt: now.toISOString(), correlationId: 'c', causationId: 5, schemaVersion: 0 })).toEqual([
      'id must be a UUID',
      'type must be a non-empty string',
      'portalId must be a non-negative integer',
      'occurredAt must be an ISO timestamp',
      'causationId must be a string or null',
      'schemaVersion must be a positive integer',
      'data is missing',
    ]);
    expect(envelopeProblems(null)).toEqual(['not an object']);
  });
});
