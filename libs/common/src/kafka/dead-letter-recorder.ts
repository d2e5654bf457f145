import { deterministicId, startStory, type EventEnvelope } from '../events/envelope';
import type { PlatformEvent } from '../events/event-types';
import { StreamIds } from '../events/stream-ids';
import type { EventStore } from '../event-store/event-store.repository';
import type { MessageContext } from './kafka-bus';

/** Records a dead-lettered message in the audit trail, in its story when it has one. */
export function deadLetterRecorder(eventStore: EventStore, now: () => Date) {
  return async (event: EventEnvelope | null, context: MessageContext, reason: string): Promise<void> => {
    const portalId = event?.portalId ?? 0;
    const data = { topic: context.topic, partition: context.partition, offset: context.offset, reason, originalEventId: event?.id ?? null };
    const id = deterministicId('dead-letter', context.topic, context.partition, context.offset);
    const recorded: PlatformEvent<'MessageDeadLettered'> = event
      ? { ...startStory({ type: 'MessageDeadLettered', portalId, id, data }, now()), correlationId: event.correlationId, causationId: event.id }
      : startStory({ type: 'MessageDeadLettered', portalId, id, data }, now());
    await eventStore.append({ streamId: StreamIds.deadLetters(portalId), events: [recorded] });
  };
}
