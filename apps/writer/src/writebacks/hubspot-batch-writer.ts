import { Injectable } from '@nestjs/common';
import { classifyHubSpotFailure, HubSpotClientFactory, hubSpotMessage, readRateLimitHeaders, type HubSpotErrorLike, type HubSpotFailureClass, type RateLimitSnapshot } from '@app/common';
import type { BatchInput, BatchOperation } from './batch-inputs';

/** What happened to one input of a batch HubSpot answered (200, 201 or 207). */
export type InputOutcome =
  | { kind: 'applied'; record: { id: string; properties: Record<string, string | null>; updatedAt?: string } }
  | { kind: 'not-found'; message: string }
  | { kind: 'invalid'; message: string; propertyProblem: boolean }
  /** HubSpot answered without a word on this input: not known to be applied, so tried again. */
  | { kind: 'unreported' };

export interface CallInfo {
  status: number | null;
  correlationId: string | null;
  rateLimit: RateLimitSnapshot;
  durationMs: number;
}

export type CallOutcome =
  | ({ kind: 'answered'; perInput: InputOutcome[]; recordsWritten: number } & CallInfo)
  | ({ kind: 'failed'; failure: HubSpotFailureClass; message: string } & CallInfo);

interface BatchError {
  category?: string;
  message?: string;
  context?: Record<string, string[]>;
  errors?: Array<{ code?: string; context?: Record<string, string[]> }>;
}

/** Makes one batch call through @hubspot/api-client and says, input by input, what HubSpot did. */
@Injectable()
export class HubSpotBatchWriter {
  constructor(private readonly clients: HubSpotClientFactory) {}

  async call(accessToken: string, operation: BatchOperation, inputs: BatchInput[], now: () => number = Date.now): Promise<CallOutcome> {
    const batchApi = this.clients.forToken(accessToken).crm.objects.batchApi;
    const started = now();
    try {
      const body = { inputs: inputs.map((i) => i.body) } as never;
      const response =
        operation.kind === 'update' ? await batchApi.updateWithHttpInfo(operation.objectType, body) : await batchApi.createWithHttpInfo(operation.objectType, body);
      const headers = response.headers as Record<string, string>;
      const data = response.data as { results?: Array<{ id: string; objectWriteTraceId?: string; properties: Record<string, string | null>; updatedAt?: Date }>; errors?: BatchError[] };
      const perInput = mapOutcomes(operation, inputs, data.results ?? [], data.errors ?? []);
      return {
        kind: 'answered',
        status: response.httpStatusCode,
        correlationId: headers['x-hubspot-correlation-id'] ?? null,
        rateLimit: readRateLimitHeaders(headers),
        durationMs: now() - started,
        perInput,
        recordsWritten: perInput.filter((o) => o.kind === 'applied').length,
      };
    } catch (error) {
      const e = error as HubSpotErrorLike;
      const status = typeof e.code === 'number' && e.code > 0 ? e.code : null;
      return {
        kind: 'failed',
        status,
        correlationId: e.headers?.['x-hubspot-correlation-id'] ?? null,
        rateLimit: readRateLimitHeaders(e.headers),
        durationMs: now() - started,
        failure: classifyHubSpotFailure(e),
        message: hubSpotMessage(e),
      };
    }
  }
}

/**
 * Pairs HubSpot's results and errors with our inputs: by objectWriteTraceId when
 * HubSpot echoes it, by object id for updates (a missing object is reported as
 * one OBJECT_NOT_FOUND entry listing ids). Pure.
 */
export function mapOutcomes(
  operation: BatchOperation,
  inputs: BatchInput[],
  results: Array<{ id: string; objectWriteTraceId?: string; properties: Record<string, string | null>; updatedAt?: Date | string }>,
  errors: BatchError[],
): InputOutcome[] {
  const byTrace = new Map<string, InputOutcome>();
  const byId = new Map<string, InputOutcome>();
  for (const result of results) {
    const outcome: InputOutcome = { kind: 'applied', record: { id: result.id, properties: result.properties, ...(result.updatedAt ? { updatedAt: new Date(result.updatedAt).toISOString() } : {}) } };
    if (result.objectWriteTraceId) byTrace.set(result.objectWriteTraceId, outcome);
    byId.set(result.id, outcome);
  }
  for (const error of errors) {
    const message = error.message ?? 'HubSpot reported an error for this input';
    const missingObject = error.category === 'OBJECT_NOT_FOUND' || (error.context?.INVALID_OBJECT_IDS?.length ?? 0) > 0;
    const outcome: InputOutcome = missingObject
      ? { kind: 'not-found', message }
      : { kind: 'invalid', message, propertyProblem: (error.errors ?? []).some((d) => d.code === 'PROPERTY_DOESNT_EXIST' || d.context?.propertyName !== undefined) || /propert/i.test(message) };
    for (const trace of error.context?.objectWriteTraceId ?? []) byTrace.set(trace, outcome);
    if (error.category === 'OBJECT_NOT_FOUND') for (const id of error.context?.ids ?? []) byId.set(id, outcome);
  }
  return inputs.map((input) => {
    const traced = byTrace.get(input.traceId);
    if (traced) return traced;
    const id = operation.kind === 'update' ? String(input.body.id) : undefined;
    const found = id === undefined ? undefined : byId.get(id);
    return found ?? { kind: 'unreported' };
  });
}
