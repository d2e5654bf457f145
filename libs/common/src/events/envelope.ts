import { createHash, randomUUID } from 'node:crypto';

/**
 * The one shape every event has, in the store and on Kafka. `data` is the
 * typed payload; everything else is what an operator filters and joins by.
 */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  id: string;
  type: TType;
  portalId: number;
  /** When it happened in the world (for a webhook: HubSpot's occurredAt). */
  occurredAt: string;
  /** When the platform recorded it. */
  recordedAt: string;
  /** The id of the webhook event (or schedule tick) that started the story. */
  correlationId: string;
  /** The id of the event that directly caused this one; null for the first. */
  causationId: string | null;
  schemaVersion: number;
  data: TData;
}

export interface NewEventInput<TType extends string, TData> {
  type: TType;
  portalId: number;
  data: TData;
  /** Deterministic ids make appends idempotent; omit for a random one. */
  id?: string;
  occurredAt?: Date;
  schemaVersion?: number;
}

/** The first event of a story: it is its own correlation. */
export function startStory<TType extends string, TData>(input: NewEventInput<TType, TData>, now: Date): EventEnvelope<TType, TData> {
  const id = input.id ?? randomUUID();
  return build(input, now, id, id, null);
}

/** An event caused by another: inherits the correlation id, points back at its cause. */
export function causedBy<TType extends string, TData>(
  cause: Pick<EventEnvelope, 'id' | 'correlationId'>,
  input: NewEventInput<TType, TData>,
  now: Date,
): EventEnvelope<TType, TData> {
  return build(input, now, input.id ?? randomUUID(), cause.correlationId, cause.id);
}

function build<TType extends string, TData>(
  input: NewEventInput<TType, TData>,
  now: Date,
  id: string,
  correlationId: string,
  causationId: string | null,
): EventEnvelope<TType, TData> {
  return {
    id,
    type: input.type,
    portalId: input.portalId,
    occurredAt: (input.occurredAt ?? now).toISOString(),
    recordedAt: now.toISOString(),
    correlationId,
    causationId,
    schemaVersion: input.schemaVersion ?? 1,
    data: input.data,
  };
}

/**
 * A UUID (version 5 layout) derived from its parts, so the same fact always gets
 * the same event id and a second append of it is recognised as a duplicate.
 */
export function deterministicId(...parts: Array<string | number>): string {
  const hash = createHash('sha256').update(parts.map(String).join('\u001f')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string has the shape of an event id (a UUID, any version). */
export function isEventId(value: string): boolean {
  return UUID.test(value);
}

/** Checks an envelope decoded from the wire; returns the problems, empty when valid. */
export function envelopeProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['not an object'];
  const e = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof e.id !== 'string' || !isEventId(e.id)) problems.push('id must be a UUID');
  if (typeof e.type !== 'string' || e.type.length === 0) problems.push('type must be a non-empty string');
  if (typeof e.portalId !== 'number' || !Number.isSafeInteger(e.portalId) || e.portalId < 0) problems.push('portalId must be a non-negative integer');
  for (const field of ['occurredAt', 'recordedAt'] as const) {
    if (typeof e[field] !== 'string' || Number.isNaN(Date.parse(e[field] as string))) problems.push(`${field} must be an ISO timestamp`);
  }
  if (typeof e.correlationId !== 'string' || e.correlationId.length === 0) problems.push('correlationId must be a non-empty string');
  if (e.causationId !== null && typeof e.causationId !== 'string') problems.push('causationId must be a string or null');
  if (typeof e.schemaVersion !== 'number' || !Number.isInteger(e.schemaVersion) || e.schemaVersion < 1) problems.push('schemaVersion must be a positive integer');
  if (!('data' in e)) problems.push('data is missing');
  return problems;
}
