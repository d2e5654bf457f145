import { startStory } from '../events/envelope';
import { decodeEnvelope, storedEventToKafkaMessage, toKafkaMessage } from './message-codec';

describe('message codec', () => {
  const event = startStory({ type: 'WebhookEventReceived', portalId: 62515, data: { objectId: '5', nested: { a: [1, 'x'] } } }, new Date('2026-11-28T10:00:00Z'));

  it('keys by portal id and carries id, type and correlation id as headers', () => {
    expect(toKafkaMessage(event)).toMatchObject({ key: '62515', headers: { 'event-id': event.id, 'event-type': 'WebhookEventReceived', 'correlation-id': event.correlationId } });
  });

  it('builds the same envelope from a stored row whose data is still JSON text (as Postgres prints jsonb)', () => {
    const { data, ...rest } = event;
    const message = storedEventToKafkaMessage(rest, '{"nested": {"a": [1, "x"]}, "objectId": "5"}');
    expect(message.key).toBe('62515');
    const decoded = decodeEnvelope(Buffer.from(message.value as string));
    expect(decoded).toEqual({ ok: true, event: { ...rest, data } });
    expect(message.headers).toEqual(toKafkaMessage(event).headers);
  });

  it('names why a message is not an envelope', () => {
    expect(decodeEnvelope(null)).toEqual({ ok: false, reason: 'message has no value' });
    expect(decodeEnvelope(Buffer.from('{"id":1}'))).toMatchObject({ ok: false, reason: expect.stringContaining('id must be a UUID') });
  });
});
