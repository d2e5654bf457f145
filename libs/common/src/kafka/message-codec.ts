import type { IHeaders, Message } from 'kafkajs';
import { envelopeProblems, type EventEnvelope } from '../events/envelope';

/** Every message is keyed by portal id: one portal's events stay on one partition, in order. */
export function toKafkaMessage(event: EventEnvelope): Message {
  return {
    key: String(event.portalId),
    value: JSON.stringify(event),
    headers: {
      'event-id': event.id,
      'event-type': event.type,
      'correlation-id': event.correlationId,
    },
  };
}

/**
 * A Kafka message built from an event row whose `data` is still JSON text, so the
 * relay never parses and re-serialises payloads it only passes on.
 */
export function storedEventToKafkaMessage(event: Omit<EventEnvelope, 'data'>, dataJson: string): Message {
  const { id, type, portalId, occurredAt, recordedAt, correlationId, causationId, schemaVersion } = event;
  const head = JSON.stringify({ id, type, portalId, occurredAt, recordedAt, correlationId, causationId, schemaVersion });
  return {
    key: String(portalId),
    value: `${head.slice(0, -1)},"data":${dataJson}}`,
    headers: { 'event-id': id, 'event-type': type, 'correlation-id': correlationId },
  };
}

export type DecodeResult = { ok: true; event: EventEnvelope } | { ok: false; reason: string };

export function decodeEnvelope(value: Buffer | null): DecodeResult {
  if (value === null) return { ok: false, reason: 'message has no value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'message value is not JSON' };
  }
  const problems = envelopeProblems(parsed);
  return problems.length === 0 ? { ok: true, event: parsed as EventEnvelope } : { ok: false, reason: `not an event envelope: ${problems.join('; ')}` };
}

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
