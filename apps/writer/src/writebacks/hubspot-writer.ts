import { Injectable } from '@nestjs/common';
import { classifyHubSpotFailure, HubSpotClientFactory, readRateLimitHeaders, type HubSpotFailureClass, type RateLimitSnapshot, type WritebackCommand } from '@app/common';

export type WriteResult =
  | { kind: 'written'; status: number; recordsWritten: number; response: unknown; rateLimit: RateLimitSnapshot }
  | { kind: 'failed'; status: number | null; failure: HubSpotFailureClass };

/** Applies one writeback command to a portal through @hubspot/api-client. */
@Injectable()
export class HubSpotWriter {
  constructor(private readonly clients: HubSpotClientFactory) {}

  async apply(accessToken: string, command: WritebackCommand): Promise<WriteResult> {
    const client = this.clients.forToken(accessToken);
    try {
      const response = await client.crm.objects.basicApi.updateWithHttpInfo(command.objectType, command.objectId, { properties: command.properties });
      return {
        kind: 'written',
        status: response.httpStatusCode,
        recordsWritten: 1,
        response: { id: response.data.id, properties: pick(response.data.properties, Object.keys(command.properties)), updatedAt: response.data.updatedAt },
        rateLimit: readRateLimitHeaders(response.headers),
      };
    } catch (error) {
      const e = error as { code?: number; body?: unknown; headers?: Record<string, string>; message?: string };
      return { kind: 'failed', status: typeof e.code === 'number' && e.code > 0 ? e.code : null, failure: classifyHubSpotFailure(e) };
    }
  }
}

function pick(properties: Record<string, string | null>, names: string[]): Record<string, string | null> {
  return Object.fromEntries(names.map((n) => [n, properties[n] ?? null]));
}
