import type { IHeaders } from 'kafkajs';
import { isRedriveMatch, redrivenHeaders, type RedriveCriteria } from './dead-letter-redriver';

describe('isRedriveMatch', () => {
  const criteria: RedriveCriteria = {
    deadLetterTopic: 'p.writebacks.dlq',
    portalId: 123,
    from: new Date('2026-11-28T10:00:00.000Z'),
    to: new Date('2026-11-28T11:00:00.000Z'),
  };
  const deadLetter = (key: string | null, failedAt: string | undefined, originalTopic: string | null = 'p.writebacks') => {
    const headers: IHeaders = { 'event-id': 'e1' };
    if (failedAt !== undefined) headers['dlq-failed-at'] = Buffer.from(failedAt);
    if (originalTopic !== null) headers['dlq-original-topic'] = Buffer.from(originalTopic);
    return { key: key === null ? null : Buffer.from(key), headers };
  };

  it('selects the portal’s dead letters inside the range, both bounds included', () => {
    expect(isRedriveMatch(deadLetter('123', '2026-11-28T10:00:00.000Z'), criteria)).toBe(true);
    expect(isRedriveMatch(deadLetter('123', '2026-11-28T10:30:00.000Z'), criteria)).toBe(true);
    expect(isRedriveMatch(deadLetter('123', '2026-11-28T11:00:00.000Z'), criteria)).toBe(true);
  });

  it('leaves out other portals and keyless messages', () => {
    expect(isRedriveMatch(deadLetter('124', '2026-11-28T10:30:00.000Z'), criteria)).toBe(false);
    expect(isRedriveMatch(deadLetter('1234', '2026-11-28T10:30:00.000Z'), criteria)).toBe(false);
    expect(isRedriveMatch(deadLetter(null, '2026-11-28T10:30:00.000Z'), criteria)).toBe(false);
  });

  it('leaves out dead letters outside the range or without a readable failure time', () => {
    expect(isRedriveMatch(deadLetter('123', '2026-11-28T09:59:59.999Z'), criteria)).toBe(false);
    expect(isRedriveMatch(deadLetter('123', '2026-11-28T11:00:00.001Z'), criteria)).toBe(false);
    expect(isRedriveMatch(deadLetter('123', undefined), criteria)).toBe(false);
    expect(isRedriveMatch(deadLetter('123', 'yesterday'), criteria)).toBe(false);
  });

  it('only sends a message back to the topic whose dead-letter twin holds it', () => {
    expect(isRedriveMatch(deadLetter('123', '2026-11-28T10:30:00.000Z', 'p.webhooks.raw'), criteria)).toBe(false);
    expect(isRedriveMatch(deadLetter('123', '2026-11-28T10:30:00.000Z', null), criteria)).toBe(false);
  });
});

describe('redrivenHeaders', () => {
  it('drops the dead-letter headers, keeps the original ones and says where the message came from', () => {
    const headers = redrivenHeaders(
      { 'event-id': Buffer.from('e1'), 'correlation-id': 'c1', 'dlq-reason': 'boom', 'dlq-original-topic': 'p.writebacks', 'dlq-failed-at': 'x', 'dlq-attempts': '5' },
      '42',
      new Date('2026-11-28T12:00:00.000Z'),
    );
    expect(headers).toEqual({ 'event-id': Buffer.from('e1'), 'correlation-id': 'c1', 'redriven-at': '2026-11-28T12:00:00.000Z', 'redriven-from-offset': '42' });
  });
});
