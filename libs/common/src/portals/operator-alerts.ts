import type { EntityManager } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { causedBy, startStory, type EventEnvelope } from '../events/envelope';
import type { EventPayloads, PlatformEvent } from '../events/event-types';
import { EventStore } from '../event-store/event-store.repository';
import { Logger } from '../logging/logger';
import { CLOCK, type Clock } from '../platform/tokens';
import { PortalLifecycle } from './portal-lifecycle';

export type OperatorAlert = EventPayloads['PortalAlertRaised'] & { /** Also stop the platform's work for the portal. */ pause: boolean };

/**
 * The one way to tell an operator that a portal needs them: a PortalAlertRaised
 * event on the portal's stream (the audit), applied to the portal row (what the
 * admin API shows; `pause` also pauses an active portal), and an error log line.
 * Used by the writer (token revoked, properties missing), the enricher (a model
 * refusing our requests) and token refreshes (an uninstalled app).
 */
@Injectable()
export class OperatorAlerts {
  private readonly lifecycle: PortalLifecycle;

  constructor(
    eventStore: EventStore,
    private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.lifecycle = new PortalLifecycle(eventStore);
  }

  /**
   * `cause` absent: the alert starts its own story (e.g. a refresh no event caused).
   * `options.id`: a deterministic event id, so replicas raising the same alert at once record it once.
   * `options.alsoInTransaction`: what must commit with the alert (e.g. the refusal it reports).
   */
  async raise(cause: EventEnvelope | undefined, portalId: number, { pause, ...alert }: OperatorAlert, options: { id?: string; alsoInTransaction?: (manager: EntityManager) => Promise<void> } = {}): Promise<void> {
    const now = this.clock();
    const input = { type: 'PortalAlertRaised' as const, portalId, id: options.id ?? randomUUID(), data: { ...alert, pause } };
    const event: PlatformEvent<'PortalAlertRaised'> = cause ? causedBy(cause, input, now) : startStory(input, now);
    await this.lifecycle.record(portalId, [event], options.alsoInTransaction);
    this.logger.error(`portal ${portalId}: ${alert.alert}${pause ? ' (paused)' : ''}`, { portalId, message: alert.message, hubspotStatus: alert.hubspotStatus, ...(alert.model ? { model: alert.model } : {}) });
  }
}
