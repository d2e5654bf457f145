import { Injectable } from '@nestjs/common';
import { OperatorAlerts, PortalAccess, type EventEnvelope, type Portal } from '@app/common';
import type { AiProviderError } from '../ai/ai-provider';

/**
 * A model that refuses our request (a setting it does not accept, a model id it
 * does not know) refuses every request like it: the message dead-letters with the
 * API's words, and the operator gets a `model-request-rejected` alert naming the
 * model and the setting. The portal is not paused: the fix is in configuration,
 * and the dead letters can be redriven once it is made.
 *
 * The alert is raised once per refusal: its message starts with what identifies
 * the refusal (model, status, error type, setting), and a portal that already
 * shows an alert starting so is not alerted again (the API's own words may differ
 * from one request to the next). The portal's cached copy is dropped after
 * raising, so the next decision sees the alert.
 */
@Injectable()
export class ModelRefusalAlerts {
  constructor(
    private readonly alerts: OperatorAlerts,
    private readonly access: PortalAccess,
  ) {}

  async raiseModelRefusal(cause: EventEnvelope, portal: Portal, error: AiProviderError): Promise<void> {
    const model = error.details.model ?? 'unknown';
    const setting = error.details.setting ?? null;
    const key = `${model} refused the request (${[error.status, error.details.code].filter(Boolean).join(' ') || error.category}${setting ? `, setting ${setting}` : ''})`;
    if (portal.alerts['model-request-rejected']?.message.startsWith(key)) return;
    await this.alerts.raise(cause, portal.portalId, {
      alert: 'model-request-rejected',
      message: `${key}: ${error.message}`,
      hubspotStatus: null,
      model,
      setting,
      ...(error.status !== undefined ? { apiStatus: error.status } : {}),
      pause: false,
    });
    this.access.forget(portal.portalId);
  }
}
