import * as http from 'http';
import type { AddressInfo } from 'net';

/** Plain JSON-ish value used for request and response bodies. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the whole request body (rejects past `limitBytes`). */
export function readBody(req: http.IncomingMessage, limitBytes = 32 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJson(raw: Buffer | string): ParsedJson {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): void {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': String(payload.length) });
  res.end(payload);
}

export function sendHtml(res: http.ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(html, 'utf8');
  res.writeHead(status, { ...headers, 'content-type': 'text/html;charset=utf-8', 'content-length': String(payload.length) });
  res.end(payload);
}

export function sendEmpty(res: http.ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-length': '0' });
  res.end();
}

/** Listens on 127.0.0.1 and resolves with the base URL (no trailing slash). */
export function listen(server: http.Server, port: number, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address() as AddressInfo;
      resolve({ url: `http://${host}:${address.port}`, port: address.port });
    });
  });
}

/** Closes the server and every open (keep-alive) connection. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** First value of a header that may be repeated. */
export function headerValue(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Flattens request headers to lower-case single strings (repeated ones joined by ", "). */
export function flatHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Delays that `cancelAll()` resolves at once (so a stopped server leaves no timers behind). */
export class CancellableDelays {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  /** Resolves true after `ms`, or false when cancelled first. */
  wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve(true);
      }, ms);
      this.pending.set(timer, () => resolve(false));
    });
  }

  cancelAll(): void {
    for (const [timer, cancel] of this.pending) {
      clearTimeout(timer);
      cancel();
    }
    this.pending.clear();
  }
}
