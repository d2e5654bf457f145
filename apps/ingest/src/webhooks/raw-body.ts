import type { Request } from 'express';

export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

/**
 * Reads the unparsed request body: signatures are computed over the exact bytes,
 * so nothing may parse or re-encode them first. Stops reading past the limit.
 */
export async function readRawBody(req: Request, limit = MAX_WEBHOOK_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(`body of ${declared} bytes exceeds ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(`body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
