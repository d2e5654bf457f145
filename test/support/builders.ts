import { startStory, type EventEnvelope } from '@app/common';

/** Small fixture builders (not JSON files). */
export function anEvent(overrides: Partial<EventEnvelope> & { portalId?: number } = {}): EventEnvelope {
  return { ...startStory({ type: overrides.type ?? 'TestHappened', portalId: overrides.portalId ?? 1, data: overrides.data ?? { n: 1 } }, new Date()), ...overrides };
}

export function aHubSpotEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: Math.floor(Math.random() * 1e9),
    subscriptionId: 1001,
    portalId: 62515,
    appId: 54321,
    occurredAt: Date.now(),
    subscriptionType: 'contact.creation',
    attemptNumber: 0,
    objectId: 123,
    changeSource: 'CRM',
    changeFlag: 'NEW',
    ...overrides,
  };
}
