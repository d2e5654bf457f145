import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logging/logger';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's request id is kept when it is one token of at most 128 safe characters; anything else is replaced. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the caller's X-Request-Id when sane (a proxy's, to follow a request across hops), else a new one. Pure but for `generate`. */
export function requestIdOf(given: string | string[] | undefined, generate: () => string = randomUUID): string {
  const value = Array.isArray(given) ? given[0] : given;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : generate();
}

/** The path without its query: a query may hold an OAuth code or state, which never reaches a log. */
export function pathOf(url: string | undefined): string {
  return (url ?? '').split('?')[0]!;
}

/**
 * Express middleware: gives each request an id (returned in X-Request-Id) and logs one
 * line when it is answered (or the client went away): method, path without query,
 * status, duration and the id. Health checks log at debug (probes come every few seconds).
 */
export function requestLog(logger: Logger): (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    const requestId = requestIdOf(req.headers[REQUEST_ID_HEADER]);
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    const path = pathOf(req.originalUrl ?? req.url);
    let logged = false;
    const done = (): void => {
      if (logged) return;
      logged = true;
      const fields = { requestId, method: req.method, path, status: res.writableFinished ? res.statusCode : 499, durationMs: Number((process.hrtime.bigint() - started) / 1_000_000n) };
      if (path.startsWith('/health/')) logger.debug('http request', fields);
      else if (fields.status >= 500) logger.error('http request', fields);
      else logger.info('http request', fields);
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}
