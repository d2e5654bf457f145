import { isPlainObject } from '@app/common';

/**
 * Which input of a batch create HubSpot applied, and as which record: decided from
 * what HubSpot answered, never from the order of `results` (HubSpot does not keep
 * it) and never depending on `objectWriteTraceId` on results (documented only on
 * errors). docs/decisions/0018. Pure.
 */

/** The marker the writer puts in every note and task body it creates: the command's id. */
export const MARKER_PREFIX = 'hubspot-ai ref ';
const MARKER = /hubspot-ai ref ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/g;

export function markerOf(commandId: string): string {
  return `${MARKER_PREFIX}${commandId}`;
}

/**
 * The command id a created record's properties carry, if any: the last marker in
 * the body, the one the writer appended (a draft that quotes an older note, or a
 * person pasting one, can put other markers before it).
 */
export function markerIn(properties: Record<string, unknown>): string | undefined {
  for (const value of Object.values(properties)) {
    if (typeof value !== 'string' || !value.includes(MARKER_PREFIX)) continue;
    const last = [...value.matchAll(MARKER)].at(-1);
    if (last) return last[1];
  }
  return undefined;
}

export interface CreateInput {
  traceId: string;
  commandId: string;
  /** The properties sent, to recognise an echo when the marker is not echoed. */
  properties: Record<string, string>;
}

export interface CreatedRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt?: string;
}

export type CreateOutcome =
  | { kind: 'applied'; record: CreatedRecord; matchedBy: 'marker' | 'trace-id' | 'echoed-properties' | 'only-one-left' }
  /** Applied (HubSpot counted it), but several identical inputs left their ids interchangeable. */
  | { kind: 'applied-unmatched'; candidateIds: string[] }
  | { kind: 'refused'; error: BatchErrorEntry }
  /** HubSpot's answer leaves open whether this input was applied: never resend blindly. */
  | { kind: 'unknown'; reason: string };

export interface BatchErrorEntry {
  status?: string;
  category?: string;
  message?: string;
  context?: Record<string, unknown>;
  errors?: Array<{ code?: string; message?: string; context?: Record<string, unknown> }>;
}

export interface CreateMapping {
  perInput: CreateOutcome[];
  /** What was odd about the answer (more results than inputs, errors without context, …); empty when it read cleanly. */
  anomalies: string[];
}

/** Reads a 200/201/207 batch-create body. Anything that is not the documented shape becomes an anomaly, never an exception. */
export function mapCreateOutcomes(inputs: readonly CreateInput[], body: unknown): CreateMapping {
  const anomalies: string[] = [];
  const object = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  if (!object) return everyInput(inputs, 'the answer is not a JSON object', anomalies);
  const rawResults = object.results;
  if (!Array.isArray(rawResults)) return everyInput(inputs, 'the answer has no results array', anomalies);
  const rawErrors = object.errors === undefined ? [] : object.errors;
  if (!Array.isArray(rawErrors)) return everyInput(inputs, 'the answer has errors that are not an array', anomalies);

  const results: Array<CreatedRecord & { traceId?: string }> = [];
  for (const r of rawResults) {
    if (!isPlainObject(r) || (typeof r.id !== 'string' && typeof r.id !== 'number') || !isPlainObject(r.properties)) {
      anomalies.push('a result without an id or properties');
      continue;
    }
    results.push({ id: String(r.id), properties: r.properties as Record<string, string | null>, ...(typeof r.createdAt === 'string' ? { createdAt: r.createdAt } : {}), ...traceOf(r) });
  }
  if (rawResults.length > inputs.length) anomalies.push(`${rawResults.length} results for ${inputs.length} inputs`);

  const perInput = new Map<number, CreateOutcome>();
  const byTrace = new Map(inputs.map((input, i) => [input.traceId, i]));
  const byCommand = new Map(inputs.map((input, i) => [input.commandId, i]));
  let untracedErrors = 0;
  for (const e of rawErrors) {
    const entry = isPlainObject(e) ? (e as BatchErrorEntry) : {};
    const traces = Array.isArray(entry.context?.objectWriteTraceId) ? (entry.context.objectWriteTraceId as unknown[]).filter((t): t is string => typeof t === 'string') : [];
    const known = traces.map((t) => byTrace.get(t)).filter((i): i is number => i !== undefined);
    if (known.length === 0) {
      untracedErrors++;
      anomalies.push(`an error without an input's objectWriteTraceId: ${entry.category ?? ''} ${entry.message ?? ''}`.trim());
    }
    for (const i of known) perInput.set(i, { kind: 'refused', error: entry });
  }
  const declared = typeof object.numErrors === 'number' ? object.numErrors : rawErrors.length;
  if (declared !== rawErrors.length) {
    untracedErrors += Math.max(0, declared - rawErrors.length);
    anomalies.push(`numErrors says ${declared}, errors lists ${rawErrors.length}`);
  }

  // 1. By what the result itself carries: our marker, or HubSpot's trace id when it fills it.
  const left: Array<CreatedRecord & { traceId?: string }> = [];
  for (const result of results) {
    const marker = markerIn(result.properties);
    const viaMarker = marker === undefined ? undefined : byCommand.get(marker);
    const viaTrace = result.traceId === undefined ? undefined : byTrace.get(result.traceId);
    const index = viaMarker ?? viaTrace;
    if (index === undefined) {
      left.push(result);
      continue;
    }
    const existing = perInput.get(index);
    if (existing) {
      anomalies.push(`two answers for one input (${existing.kind === 'applied' ? `record ${existing.record.id}` : existing.kind}, record ${result.id})`);
      perInput.set(index, { kind: 'unknown', reason: 'HubSpot answered twice for this input' });
      continue;
    }
    perInput.set(index, { kind: 'applied', record: strip(result), matchedBy: viaMarker !== undefined ? 'marker' : 'trace-id' });
  }

  // 2. By the exact properties echoed, where exactly one open input sent them.
  const unmatched = (): number[] => inputs.map((_, i) => i).filter((i) => !perInput.has(i));
  const stillLeft: CreatedRecord[] = [];
  for (const result of left) {
    const candidates = unmatched().filter((i) => echoes(result.properties, inputs[i]!.properties));
    if (candidates.length === 1) perInput.set(candidates[0]!, { kind: 'applied', record: strip(result), matchedBy: 'echoed-properties' });
    else stillLeft.push(result);
  }

  // 3. What remains: applied only when HubSpot's own counts say so.
  const open = unmatched();
  if (open.length > 0) {
    const countsAddUp = untracedErrors === 0 && stillLeft.length === open.length && anomalies.length === 0;
    if (countsAddUp && open.length === 1) perInput.set(open[0]!, { kind: 'applied', record: strip(stillLeft[0]!), matchedBy: 'only-one-left' });
    else if (countsAddUp) for (const i of open) perInput.set(i, { kind: 'applied-unmatched', candidateIds: stillLeft.map((r) => r.id) });
    else {
      const reason =
        untracedErrors > 0
          ? 'HubSpot reported an error it did not tie to an input'
          : `HubSpot returned ${stillLeft.length} unrecognised result(s) for ${open.length} unanswered input(s)`;
      for (const i of open) perInput.set(i, { kind: 'unknown', reason });
    }
  } else if (stillLeft.length > 0) {
    anomalies.push(`${stillLeft.length} result(s) match no input: ${stillLeft.map((r) => r.id).join(', ')}`);
  }
  return { perInput: inputs.map((_, i) => perInput.get(i)!), anomalies };
}

function everyInput(inputs: readonly CreateInput[], reason: string, anomalies: string[]): CreateMapping {
  anomalies.push(reason);
  return { perInput: inputs.map(() => ({ kind: 'unknown', reason })), anomalies };
}

/** Every property the result echoes equals what was sent, and it echoes at least one of them. */
function echoes(echoed: Record<string, string | null>, sent: Record<string, string>): boolean {
  let compared = 0;
  for (const [name, value] of Object.entries(sent)) {
    if (!(name in echoed)) continue;
    if (echoed[name] !== value) return false;
    compared++;
  }
  return compared > 0;
}

function traceOf(r: Record<string, unknown>): { traceId?: string } {
  return typeof r.objectWriteTraceId === 'string' ? { traceId: r.objectWriteTraceId } : {};
}

function strip(result: CreatedRecord & { traceId?: string }): CreatedRecord {
  return { id: result.id, properties: result.properties, ...(result.createdAt ? { createdAt: result.createdAt } : {}) };
}
