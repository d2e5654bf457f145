import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 exchange on a bare socket, for what fetch cannot do: send headers
 * and hold the body back, trickle it, or watch whether the server closes the
 * connection. `response` resolves when a status line and headers arrived (the body
 * is whatever came with them); `closed` when the server (or an error) ended the socket.
 */
export interface RawConnection {
  socket: Socket;
  connected: Promise<void>;
  response: Promise<RawResponse>;
  closed: Promise<void>;
  isClosed(): boolean;
  /** Resolves with the response, or undefined when none arrived within ms. */
  responseWithin(ms: number): Promise<RawResponse | undefined>;
  /** True when the socket closed within ms. */
  closesWithin(ms: number): Promise<boolean>;
  write(data: string | Buffer): Promise<void>;
  destroy(): void;
}

export function rawConnection(port: number, head?: string, host = '127.0.0.1'): RawConnection {
  const socket = connect({ port, host });
  let received = Buffer.alloc(0);
  let closed = false;
  let resolveResponse!: (r: RawResponse) => void;
  const response = new Promise<RawResponse>((resolve) => (resolveResponse = resolve));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const closedPromise = new Promise<void>((resolve) => socket.once('close', () => { closed = true; resolve(); }));
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    const text = received.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) return;
    const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    resolveResponse({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0), headers, body: text.slice(end + 4) });
  });
  if (head !== undefined) socket.write(head);
  const within = <T>(promise: Promise<T>, ms: number): Promise<T | undefined> =>
    Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);
  return {
    socket,
    connected,
    response,
    closed: closedPromise,
    isClosed: () => closed,
    responseWithin: (ms) => within(response, ms),
    closesWithin: async (ms) => (await within(closedPromise.then(() => true), ms)) === true,
    write: (data) => new Promise<void>((resolve) => {
      if (closed || socket.destroyed) return resolve();
      socket.write(data, () => resolve());
    }),
    destroy: () => socket.destroy(),
  };
}

/** The request line and headers of a POST, ending with the blank line. */
export function postHead(path: string, headers: Record<string, string | number>): string {
  const lines = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return lines.join('\r\n') + '\r\n\r\n';
}
