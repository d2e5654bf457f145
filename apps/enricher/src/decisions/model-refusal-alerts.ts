import { Injectable } from '@nestjs/common';
import { OperatorAlerts, type EventEnvelope, type Portal } from '@app/common';
import type { AiProviderError } from '../ai/ai-provider';

/**
 * A model that refuses our request (a setting it does not accept, a model id it
 * does not know) refuses every request like it: the message dead-letters with the
 * API's words, and the operator gets a `model-request-rejected` alert naming the
 * model and the setting. The portal is not paused: the fix is in configuration,
 * and the dead letters can be redriven once it is made. An alert the portal
 * already shows with the same message is not raised again.
 */
@Injectable()
export class ModelRefusalAlerts {
  constructor(private readonly alerts: OperatorAlerts) {}

  async raiseModelRefusal(cause: EventEnvelope, portal: Portal, error: AiProviderError): Promise<void> {
    if (portal.alerts['model-request-rejected']?.message === error.message) return;
    await this.alerts.raise(cause, portal.portalId, {
      alert: 'model-request-rejected',
      message: error.message,
      hubspotStatus: null,
      model: error.details.model ?? 'unknown',
      setting: error.details.setting ?? null,
      ...(error.status !== undefined ? { apiStatus: error.status } : {}),
      pause: false,
    });
  }
}
