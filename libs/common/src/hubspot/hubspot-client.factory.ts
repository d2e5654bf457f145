import { Client } from '@hubspot/api-client';

/**
 * The one place that constructs HubSpot clients: one per portal token, all pointed
 * at the configured base URL.
 *
 * @hubspot/api-client keeps its retry and limiter settings in a process-wide
 * singleton that every `new Client()` overwrites, so per-portal settings there are
 * unreliable. We never enable them: retries are the consumers' (KafkaBus), and
 * per-portal rate limits belong to the platform, not the SDK (the writer issue adds
 * them). The token, by contrast, is per instance.
 */
export class HubSpotClientFactory {
  private readonly clients = new Map<string, Client>();

  constructor(
    private readonly basePath: string,
    private readonly maxCachedClients = 1_000,
  ) {}

  private anonymous: Client | undefined;

  /** A client that sends no token (OAuth's token endpoints). */
  withoutToken(): Client {
    this.anonymous ??= new Client({ basePath: this.basePath.replace(/\/+$/, ''), numberOfApiCallRetries: 0 });
    return this.anonymous;
  }

  forToken(accessToken: string): Client {
    const cached = this.clients.get(accessToken);
    if (cached) return cached;
    const client = new Client({ accessToken, basePath: this.basePath.replace(/\/+$/, ''), numberOfApiCallRetries: 0 });
    if (this.clients.size >= this.maxCachedClients) this.clients.delete(this.clients.keys().next().value as string);
    this.clients.set(accessToken, client);
    return client;
  }
}
