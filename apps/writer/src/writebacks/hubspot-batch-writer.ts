import { Injectable } from '@nestjs/common';
import { classifyHubSpotFailure, HubSpotApi, hubSpotMessage, isPlainObject, readRateLimitHeaders, type HubSpotCredential, type HubSpotFailureClass, type RateLimitSnapshot } from '@app/common';
import type { BatchInput, BatchOperation } from './batch-inputs';
import { mapCreateOutcomes, type BatchErrorEntry, type CreatedRecord } from './create-outcomes';

/** What happened to one input of a batch HubSpot answered (200, 201 or 207). */
export type InputOutcome =
  | { kind: 'applied'; record: CreatedRecord & { updatedAt?: string } }
  /** A create HubSpot counted as applied whose id could not be told apart from identical inputs'. */
  | { kind: 'applied-unmatched'; candidateIds: string[] }
  | { kind: 'not-found'; message: string }
  | { kind: 'invalid'; message: string; problem: InputProblem }
  /** An update HubSpot answered without a word on: idempotent, so sent again. */
  | { kind: 'unreported' }
  /** A create whose fate the answer leaves open: parked for an operator, never resent blindly. */
  | { kind: 'unknown'; reason: string };

/** What a refused input needs: nothing the writer can do, the property bootstrap, or another owner. */
export type InputProblem = 'other' | 'missing-property' | 'owner';

export interface CallInfo {
  status: number | null;
  correlationId: string | null;
  rateLimit: RateLimitSnapshot;
  durationMs: number;
  /** The HubSpot API version the call used (HUBSPOT_OPERATIONS). */
  apiVersion: string;
}

export type CallOutcome =
  | ({ kind: 'answered'; perInput: InputOutcome[]; recordsWritten: number; anomalies: string[]; body: unknown } & CallInfo)
  | ({ kind: 'failed'; failure: HubSpotFailureClass; message: string; problem: InputProblem } & CallInfo);

/** Makes one batch call through the HubSpot door and says, input by input, what HubSpot did. */
@Injectable()
export class HubSpotBatchWriter {
  constructor(private readonly hubspot: HubSpotApi) {}

  async call(accessToken: HubSpotCredential, operation: BatchOperation, inputs: BatchInput[], now: () => number = Date.now): Promise<CallOutcome> {
    const started = now();
    const name = operation.kind === 'update' ? 'objects.batchUpdate' : 'objects.batchCreate';
    const answer = await this.hubspot.call(accessToken, name, { objectType: operation.objectType }, { body: { inputs: inputs.map((i) => i.body) } });
    const info = { durationMs: now() - started, apiVersion: answer.apiVersion };
    if (!answer.ok) {
      const e = answer.error;
      return {
        kind: 'failed',
        status: typeof e.code === 'number' && e.code > 0 ? e.code : null,
        correlationId: e.headers['x-hubspot-correlation-id'] ?? null,
        rateLimit: readRateLimitHeaders(e.headers),
        failure: classifyHubSpotFailure(e),
        message: hubSpotMessage(e),
        problem: problemOf(isPlainObject(e.body) ? (e.body as BatchErrorEntry) : {}),
        ...info,
      };
    }
    const { perInput, anomalies } = operation.kind === 'update' ? { perInput: mapUpdateOutcomes(inputs, answer.body), anomalies: updateAnomalies(inputs, answer.body) } : mapCreates(inputs, answer.body);
    return {
      kind: 'answered',
      status: answer.status,
      correlationId: answer.headers['x-hubspot-correlation-id'] ?? null,
      rateLimit: readRateLimitHeaders(answer.headers),
      perInput,
      recordsWritten: perInput.filter((o) => o.kind === 'applied' || o.kind === 'applied-unmatched').length,
      anomalies,
      body: answer.body,
      ...info,
    };
  }
}

function mapCreates(inputs: BatchInput[], body: unknown): { perInput: InputOutcome[]; anomalies: string[] } {
  const mapped = mapCreateOutcomes(
    inputs.map((i) => ({ traceId: i.traceId, commandId: i.commandId, properties: i.body.properties })),
    body,
  );
  const perInput = mapped.perInput.map((o): InputOutcome => (o.kind === 'refused' ? refusal(o.error) : o.kind === 'applied' ? { kind: 'applied', record: o.record } : o));
  return { perInput, anomalies: mapped.anomalies };
}

/**
 * Pairs a batch update's answer with its inputs by object id (updates are
 * idempotent: an input HubSpot says nothing about is simply sent again). Pure.
 */
export function mapUpdateOutcomes(inputs: BatchInput[], body: unknown): InputOutcome[] {
  const object = isPlainObject(body) ? body : {};
  const results = Array.isArray(object.results) ? object.results.filter(isPlainObject) : [];
  const errors = Array.isArray(object.errors) ? object.errors.filter(isPlainObject).map((e) => e as BatchErrorEntry) : [];
  const byId = new Map<string, InputOutcome>();
  const byTrace = new Map<string, InputOutcome>();
  for (const r of results) {
    if ((typeof r.id !== 'string' && typeof r.id !== 'number') || !isPlainObject(r.properties)) continue;
    byId.set(String(r.id), {
      kind: 'applied',
      record: { id: String(r.id), properties: r.properties as Record<string, string | null>, ...(typeof r.updatedAt === 'string' ? { updatedAt: r.updatedAt } : {}) },
    });
  }
  for (const error of errors) {
    const outcome = refusal(error);
    for (const trace of stringsIn(error.context?.objectWriteTraceId)) byTrace.set(trace, outcome);
    if (error.category === 'OBJECT_NOT_FOUND') for (const id of stringsIn(error.context?.ids)) byId.set(id, outcome);
  }
  return inputs.map((input) => byTrace.get(input.traceId) ?? byId.get(String(input.body.id)) ?? { kind: 'unreported' });
}

/** What is odd about a batch update's answer (kept whole on the call's record); updates are resent, never parked. */
function updateAnomalies(inputs: BatchInput[], body: unknown): string[] {
  if (!isPlainObject(body)) return ['the answer is not a JSON object'];
  if (!Array.isArray(body.results)) return ['the answer has no results array'];
  return body.results.length > inputs.length ? [`${body.results.length} results for ${inputs.length} inputs`] : [];
}

/** A per-input error, classified by its category, codes and context (never its wording). */
export function refusal(error: BatchErrorEntry): InputOutcome {
  const message = error.message ?? 'HubSpot refused this input';
  const context = isPlainObject(error.context) ? error.context : {};
  const missingObject = error.category === 'OBJECT_NOT_FOUND' || stringsIn(context.INVALID_OBJECT_IDS).length > 0;
  if (missingObject) return { kind: 'not-found', message };
  return { kind: 'invalid', message, problem: problemOf(error) };
}

/** Which fixable problem an error names: a property the portal lacks, or an owner HubSpot does not accept. */
export function problemOf(error: BatchErrorEntry): InputProblem {
  const details = Array.isArray(error.errors) ? error.errors.filter(isPlainObject).map((d) => d as NonNullable<BatchErrorEntry['errors']>[number]) : [];
  const properties = [...stringsIn(isPlainObject(error.context) ? error.context.propertyName : undefined), ...details.flatMap((d) => stringsIn(isPlainObject(d.context) ? d.context.propertyName : undefined))];
  if (properties.includes('hubspot_owner_id')) return 'owner';
  if (details.some((d) => d.code === 'PROPERTY_DOESNT_EXIST')) return 'missing-property';
  return 'other';
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
