import type { ApiContext, ApiResult } from './crm-api.types';
import type { CrmObjectType, PublicObject, StoredObject } from './hubspot.types';
import { isJsonObject } from '../shared/http-io.util';
import { errorBody, validationError, type HubSpotErrorBody } from './hubspot-errors.factory';
import { commitArchive, commitCreate, commitUpdate, prepareCreate, prepareUpdate, resolveObject, type PreparedCreate } from './crm-write.service';
import { objectTypeInfo } from './object-types.registry';
import { formatInstant } from './instant-format.util';
import { publicView } from './object-handlers';

export const BATCH_LIMIT = 100;

type Inputs = { ok: true; inputs: unknown[] } | { ok: false; result: ApiResult };

function readInputs(body: unknown): Inputs {
  if (!isJsonObject(body) || !Array.isArray(body.inputs)) {
    return { ok: false, result: { status: 400, body: validationError('Invalid input JSON: Some required fields were not set: [inputs]') } };
  }
  if (body.inputs.length > BATCH_LIMIT) {
    return {
      ok: false,
      result: { status: 400, body: validationError(`Batch input size ${body.inputs.length} exceeds the limit of ${BATCH_LIMIT} inputs`) },
    };
  }
  return { ok: true, inputs: body.inputs };
}

interface BatchError extends HubSpotErrorBody {
  links?: Record<string, string>;
}

/** `{status, results, [numErrors, errors], startedAt, completedAt}` with 200/201 or 207 when there are errors. */
function batchResponse(ctx: ApiContext, results: unknown[], errors: BatchError[], okStatus: number, startedAt: number): ApiResult {
  const body: Record<string, unknown> = { status: 'COMPLETE', results };
  if (errors.length > 0) {
    body.numErrors = errors.length;
    body.errors = errors;
  }
  body.startedAt = formatInstant(startedAt);
  body.completedAt = formatInstant(ctx.now);
  return { status: errors.length > 0 ? 207 : okStatus, body };
}

/**
 * The `results` of batch create, read and update as the portal answers them (PortalState.batchResults):
 * `v3-reference` (default) in no particular order (shuffled by the sandbox's seeded RNG) and without
 * `objectWriteTraceId`, which HubSpot's docs show only in `errors[].context`; `2026-03-documented` in input order,
 * each result echoing its input's `objectWriteTraceId`. Errors keep `context.objectWriteTraceId` either way.
 */
function answerResults(ctx: ApiContext, entries: Array<{ view: PublicObject; traceId?: string }>): PublicObject[] {
  if (ctx.portal.batchResults === '2026-03-documented') {
    return entries.map(({ view, traceId }) => (traceId !== undefined ? { ...view, objectWriteTraceId: traceId } : view));
  }
  return ctx.rng.shuffle(entries.map(({ view }) => view));
}

function notFoundEntry(type: CrmObjectType, ids: string[]): BatchError {
  const e = errorBody(
    `Could not get some ${objectTypeInfo(type).upper} objects, they may be deleted or not exist. Check that ids are valid.`,
    'OBJECT_NOT_FOUND',
    { context: { ids } },
  );
  return { ...e, errors: [], links: {} };
}

function idOf(input: unknown): string | undefined {
  if (!isJsonObject(input)) return undefined;
  const id = input.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/**
 * `POST /crm/v3/objects/{type}/batch/read` (and `/crm/objects/2026-03/...`): found records as `results` (order per
 * answerResults), missing ids as one OBJECT_NOT_FOUND error entry (207).
 */
export function batchRead(ctx: ApiContext, type: CrmObjectType): ApiResult {
  const parsed = readInputs(ctx.body);
  if (!parsed.ok) return parsed.result;
  const body = ctx.body as Record<string, unknown>;
  const idProperty = typeof body.idProperty === 'string' ? body.idProperty : null;
  const requested = Array.isArray(body.properties) ? body.properties.filter((p): p is string => typeof p === 'string') : null;
  const archived = ctx.query.get('archived') === 'true';
  const found: Array<{ view: PublicObject }> = [];
  const missing: string[] = [];
  for (const input of parsed.inputs) {
    const id = idOf(input);
    if (id === undefined) return { status: 400, body: validationError('Invalid input JSON: every input needs an id') };
    const object = resolveObject(ctx, type, id, idProperty, archived);
    if (!object || object.archived !== archived) missing.push(id);
    else found.push({ view: publicView(ctx, object, requested && requested.length > 0 ? requested : null) });
  }
  return batchResponse(ctx, answerResults(ctx, found), missing.length > 0 ? [notFoundEntry(type, missing)] : [], 200, ctx.now);
}

/**
 * Batch create (`.../batch/create`, v3 or 2026-03). Without `objectWriteTraceId` on every input, one invalid input
 * fails the whole batch (400/409) and nothing is created; with them, valid inputs are created and invalid ones come
 * back as per-input errors (207) carrying `context.objectWriteTraceId`. `results` as answerResults says.
 */
export function batchCreate(ctx: ApiContext, type: CrmObjectType): ApiResult {
  const parsed = readInputs(ctx.body);
  if (!parsed.ok) return parsed.result;
  const traced = parsed.inputs.length > 0 && parsed.inputs.every((i) => isJsonObject(i) && typeof i.objectWriteTraceId === 'string');
  const emails = new Set<string>();
  const prepared: PreparedCreate[] = [];
  const errors: BatchError[] = [];
  for (const input of parsed.inputs) {
    const outcome = prepareCreate(ctx, type, input, emails);
    if (outcome.ok) {
      prepared.push(outcome.value);
      continue;
    }
    if (!traced) return { status: outcome.status, body: outcome.body };
    const traceId = String((input as Record<string, unknown>).objectWriteTraceId);
    errors.push({ ...outcome.body, context: { ...(outcome.body.context ?? {}), objectWriteTraceId: [traceId] } });
  }
  const created = prepared.map((p) => ({
    view: publicView(ctx, commitCreate(ctx, type, p), 'all'),
    ...(p.objectWriteTraceId !== undefined ? { traceId: p.objectWriteTraceId } : {}),
  }));
  return batchResponse(ctx, answerResults(ctx, created), errors, 201, ctx.now);
}

/**
 * Batch update (`.../batch/update`, v3 or 2026-03): unknown ids become one OBJECT_NOT_FOUND error entry (207);
 * invalid values fail the batch, or only their input (207, `context.objectWriteTraceId`) when it has a trace id.
 * `results` as answerResults says.
 */
export function batchUpdate(ctx: ApiContext, type: CrmObjectType): ApiResult {
  const parsed = readInputs(ctx.body);
  if (!parsed.ok) return parsed.result;
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  const work: Array<{ object: StoredObject; values: Record<string, string>; traceId?: string }> = [];
  const missing: string[] = [];
  const errors: BatchError[] = [];
  for (const input of parsed.inputs) {
    const id = idOf(input);
    if (id === undefined) return { status: 400, body: validationError('Invalid input JSON: every input needs an id') };
    if (seen.has(id)) duplicates.add(id);
    seen.add(id);
  }
  if (duplicates.size > 0) {
    return { status: 400, body: validationError(`Duplicate IDs found in batch input: [${[...duplicates].join(', ')}]. IDs must be unique`) };
  }
  for (const input of parsed.inputs) {
    const record = input as Record<string, unknown>;
    const id = idOf(input) ?? '';
    const idProperty = typeof record.idProperty === 'string' ? record.idProperty : null;
    const object = resolveObject(ctx, type, id, idProperty);
    if (!object) {
      missing.push(id);
      continue;
    }
    const values = prepareUpdate(ctx, object, input);
    const traceId = typeof record.objectWriteTraceId === 'string' ? record.objectWriteTraceId : undefined;
    if (!values.ok) {
      if (traceId === undefined) return { status: values.status, body: values.body };
      errors.push({ ...values.body, context: { ...(values.body.context ?? {}), objectWriteTraceId: [traceId] } });
      continue;
    }
    work.push({ object, values: values.value, ...(traceId !== undefined ? { traceId } : {}) });
  }
  const updated = work.map(({ object, values, traceId }) => {
    commitUpdate(ctx, object, values);
    return { view: publicView(ctx, object, 'all'), ...(traceId !== undefined ? { traceId } : {}) };
  });
  if (missing.length > 0) errors.unshift(notFoundEntry(type, missing));
  return batchResponse(ctx, answerResults(ctx, updated), errors, 200, ctx.now);
}

/** Batch upsert by a unique property (`idProperty`, e.g. `email`): updates matches, creates the rest. */
export function batchUpsert(ctx: ApiContext, type: CrmObjectType): ApiResult {
  const parsed = readInputs(ctx.body);
  if (!parsed.ok) return parsed.result;
  const results: unknown[] = [];
  const plan: Array<() => unknown> = [];
  for (const input of parsed.inputs) {
    const record = isJsonObject(input) ? input : {};
    const id = idOf(input);
    const idProperty = typeof record.idProperty === 'string' ? record.idProperty : null;
    if (id === undefined || idProperty === null) {
      return { status: 400, body: validationError('Invalid input JSON: upsert inputs need id and idProperty') };
    }
    const existing = resolveObject(ctx, type, id, idProperty);
    if (existing) {
      const values = prepareUpdate(ctx, existing, input);
      if (!values.ok) return { status: values.status, body: values.body };
      plan.push(() => {
        commitUpdate(ctx, existing, values.value);
        return { ...publicView(ctx, existing, 'all'), new: false };
      });
    } else {
      const props = isJsonObject(record.properties) ? record.properties : {};
      const prepared = prepareCreate(ctx, type, { ...record, properties: { ...props, [idProperty]: id } });
      if (!prepared.ok) return { status: prepared.status, body: prepared.body };
      plan.push(() => ({ ...publicView(ctx, commitCreate(ctx, type, prepared.value), 'all'), new: true }));
    }
  }
  for (const step of plan) results.push(step());
  return batchResponse(ctx, results, [], 200, ctx.now);
}

export function batchArchive(ctx: ApiContext, type: CrmObjectType): ApiResult {
  const parsed = readInputs(ctx.body);
  if (!parsed.ok) return parsed.result;
  for (const input of parsed.inputs) {
    const id = idOf(input);
    const object = id === undefined ? undefined : ctx.portal.store.get(type, id);
    if (object) commitArchive(ctx, object);
  }
  return { status: 204 };
}
