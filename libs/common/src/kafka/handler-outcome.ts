/**
 * Every consumed message ends somewhere explicit: done, dropped with a reason,
 * retried (only when the failure is retriable), or dead-lettered with a reason.
 */
export type HandlerOutcome =
  | { kind: 'done' }
  | { kind: 'drop'; reason: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'dead-letter'; reason: string };

export const Outcome = {
  done: (): HandlerOutcome => ({ kind: 'done' }),
  drop: (reason: string): HandlerOutcome => ({ kind: 'drop', reason }),
  retry: (reason: string, retryAfterMs?: number): HandlerOutcome => ({ kind: 'retry', reason, retryAfterMs }),
  deadLetter: (reason: string): HandlerOutcome => ({ kind: 'dead-letter', reason }),
};
