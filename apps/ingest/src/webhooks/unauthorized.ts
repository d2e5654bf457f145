import type { WebhookResponse } from './incoming-webhook';

/**
 * The one answer to every failed authentication on the webhook routes: it never says
 * which check failed (missing, stale, wrong or downgraded signature, wrong key,
 * another tenant's body). `reason` travels as `authFailure`, for the operator's
 * sampled log only (see webhook.controller.ts), never in the body.
 */
export const UNAUTHORIZED_MESSAGE = 'unauthorized';

export function unauthorized(reason: string): WebhookResponse {
  return { status: 401, body: { message: UNAUTHORIZED_MESSAGE }, authFailure: reason };
}
