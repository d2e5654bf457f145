import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { causedBy, type EventEnvelope } from '../events/envelope';
import type { EventPayloads, PlatformEvent } from '../events/event-types';
import { EventStore } from '../event-store/event-store.repository';
import { StreamIds } from '../events/stream-ids';
import { Logger } from '../logging/logger';
import { CLOCK, type Clock } from '../platform/tokens';
import { PortalRepository } from './portal.repository';

export type OperatorAlert = EventPayloads['PortalAlertRaised'] & { /** Also stop the platform's work for the portal. */ pause: boolean };

/**
 * The one way to tell an operator that a portal needs them: the alert on the
 * portal row (what the admin API shows), a PortalAlertRaised event on the
 * portal's stream (the audit), and an error log line. Used by the writer (token
 * revoked, properties missing) and the enricher (a model refusing our requests).
 */
@Injectable()
export class OperatorAlerts {
  constructor(
    private readonly portals: PortalRepository,
    private readonly eventStore: EventStore,
    private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async raise(cause: EventEnvelope, portalId: number, { pause, ...alert }: OperatorAlert): Promise<void> {
    const now = this.clock();
    await this.portals.raiseAlert(portalId, alert.alert, alert.message, { pause, now });
    const event: PlatformEvent<'PortalAlertRaised'> = causedBy(cause, { type: 'PortalAlertRaised', portalId, id: randomUUID(), data: alert }, now);
    await this.eventStore.append({ streamId: StreamIds.portal(portalId), events: [event] });
    this.logger.error(`portal ${portalId}: ${alert.alert}${pause ? ' (paused)' : ''}`, { portalId, message: alert.message, hubspotStatus: alert.hubspotStatus, ...(alert.model ? { model: alert.model } : {}) });
  }
}
