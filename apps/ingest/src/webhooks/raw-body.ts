import type { Request } from 'express';

export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/**
 * Why a body was not read. Every one of these leaves the request unread or half read,
 * so the answer carries `Connection: close` and the socket is closed after it: a
 * keep-alive connection would otherwise go on with the rest of the body as its next
 * request.
 */
export abstract class BodyReadError extends Error {
  abstract readonly status: number;
  readonly retryAfterSeconds?: number;
}

export class BodyTooLargeError extends BodyReadError {
  readonly status = 413;
}

/** The body did not arrive within EDGE_BODY_TIMEOUT_MS. */
export class BodyTimeoutError extends BodyReadError {
  readonly status = 408;
}

/** Reading it would take the bodies held in memory past EDGE_MAX_BUFFERED_BODY_BYTES. */
export class BodyBudgetError extends BodyReadError {
  readonly status = 503;
  override readonly retryAfterSeconds = 5;
}

/** The client went away mid-body: nobody to answer. */
export class BodyAbortedError extends BodyReadError {
  readonly status = 400;
}

/**
 * Bytes of request bodies held in memory at once, across every request being read
 * (one per process). Taken chunk by chunk as they arrive, given back when the read
 * ends, however it ends.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  take(bytes: number): boolean {
    if (this.used + bytes > this.maxBytes) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  get inUse(): number {
    return this.used;
  }
}

export interface BodyReadOptions {
  limit?: number;
  /** From the start of the read; 0 or absent = none. */
  timeoutMs?: number;
  budget?: BodyBudget;
}

/**
 * Reads the unparsed request body: signatures are computed over the exact bytes,
 * so nothing may parse or re-encode them first. Refuses a declared length over the
 * limit without reading; stops reading past the limit, past the deadline or past
 * the budget (and leaves the rest unread: the caller closes the connection).
 */
export function readRawBody(req: Request, options: BodyReadOptions = {}): Promise<Buffer> {
  const limit = options.limit ?? MAX_WEBHOOK_BODY_BYTES;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError(`body of ${declared} bytes exceeds ${limit}`));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    let settled = false;
    const timer = options.timeoutMs ? setTimeout(() => finish(new BodyTimeoutError(`body not received within ${options.timeoutMs} ms`)), options.timeoutMs) : undefined;

    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish(new BodyTooLargeError(`body exceeds ${limit} bytes`));
      if (options.budget && !options.budget.take(chunk.length)) return finish(new BodyBudgetError('too many webhook bodies being received at once; retry later'));
      held += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => finish(undefined);
    const onError = (error: Error) => finish(new BodyAbortedError(`body not received: ${error.message}`));
    const onClose = () => finish(new BodyAbortedError('connection closed before the body ended'));

    function finish(error: BodyReadError | undefined): void {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      options.budget?.give(held);
      if (error) {
        // Nothing more is kept; what still arrives is discarded until the socket closes.
        chunks.length = 0;
        req.on('error', () => undefined);
        req.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    }

    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
