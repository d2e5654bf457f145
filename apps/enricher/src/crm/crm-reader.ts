import { Injectable } from '@nestjs/common';
import { classifyHubSpotFailure, HubSpotClientFactory, readRateLimitHeaders, type CrmObjectType, type HubSpotFailureClass, type RateLimitSnapshot } from '@app/common';

export type CrmReadResult =
  | { kind: 'found'; id: string; properties: Record<string, string | null>; status: number; rateLimit: RateLimitSnapshot }
  | { kind: 'failed'; failure: HubSpotFailureClass };

/** Reads CRM objects of one portal with that portal's own token. */
@Injectable()
export class CrmReader {
  constructor(private readonly clients: HubSpotClientFactory) {}

  async getObject(accessToken: string, objectType: CrmObjectType, objectId: string, properties: readonly string[]): Promise<CrmReadResult> {
    const client = this.clients.forToken(accessToken);
    try {
      const response = await client.crm.objects.basicApi.getByIdWithHttpInfo(objectType, objectId, [...properties]);
      return {
        kind: 'found',
        id: response.data.id,
        properties: response.data.properties,
        status: response.httpStatusCode,
        rateLimit: readRateLimitHeaders(response.headers),
      };
    } catch (error) {
      return { kind: 'failed', failure: classifyHubSpotFailure(error as { code?: number; body?: unknown; headers?: Record<string, string>; message?: string }) };
    }
  }
}
