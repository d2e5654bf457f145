/**
 * Every consumed message ends somewhere explicit: done, dropped with a reason,
 * retried (only when the failure is retriable), or dead-lettered with a reason.
 */
export type HandlerOutcome =
  | { kind: 'done' }
  | { kind: 'drop'; reason: string }
  /**
   * `throttled`: the work waits for a rate limit (HubSpot's 429 or the portal's
   * budget) rather than failing; such retries use up no attempts for a while (KafkaBus).
   */
  | { kind: 'retry'; reason: string; retryAfterMs?: number; throttled?: boolean }
  | { kind: 'dead-letter'; reason: string };

export const Outcome = {
  done: (): HandlerOutcome => ({ kind: 'done' }),
  drop: (reason: string): HandlerOutcome => ({ kind: 'drop', reason }),
  retry: (reason: string, retryAfterMs?: number, throttled?: boolean): HandlerOutcome => ({ kind: 'retry', reason, retryAfterMs, ...(throttled ? { throttled } : {}) }),
  deadLetter: (reason: string): HandlerOutcome => ({ kind: 'dead-letter', reason }),
};
