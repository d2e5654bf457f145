import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '@app/common';

/**
 * The public (webhook) port's HTTP server limits, set before it listens:
 *  - request line and headers within EDGE_HEADERS_TIMEOUT_MS (Node answers 408 and
 *    closes); a new connection whose first request's headers are not complete by
 *    then is closed too (Node leaves a connection that sends nothing open);
 *  - the whole request within headers + body timeouts (a backstop: readRawBody
 *    enforces EDGE_BODY_TIMEOUT_MS itself, from the end of the headers);
 *  - at most EDGE_MAX_CONNECTIONS open connections: further ones are closed as
 *    soon as they are accepted;
 *  - timeouts checked every second (Node's default is 30 s, which would let a slow
 *    client keep a connection up to 30 s past its timeout).
 */
export function applyEdgeLimits(server: Server, config: AppConfig): void {
  server.headersTimeout = config.edgeHeadersTimeoutMs;
  server.requestTimeout = config.edgeHeadersTimeoutMs + config.edgeBodyTimeoutMs;
  server.maxConnections = config.edgeMaxConnections;
  // Read when the server starts listening (Node >= 18.12).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1_000, config.edgeHeadersTimeoutMs);
  // Keep-alive connections between requests are Node's keepAliveTimeout's (5 s).
  const firstRequest = new WeakMap<Socket, NodeJS.Timeout>();
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), config.edgeHeadersTimeoutMs).unref();
    firstRequest.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('request', (req: IncomingMessage) => {
    clearTimeout(firstRequest.get(req.socket));
    firstRequest.delete(req.socket);
  });
}

/** Listens on the public port with the edge limits (main.ts and the tests). */
export async function listenPublic(app: INestApplication, config: AppConfig, port = config.ingestPort, host?: string): Promise<void> {
  applyEdgeLimits(app.getHttpServer() as Server, config);
  await (host === undefined ? app.listen(port) : app.listen(port, host));
}
