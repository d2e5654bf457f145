import type { ApiContext, ApiResult } from './crm-api.types';
import { errorBody, resourceNotFound, type HubSpotErrorBody } from './hubspot-errors.factory';
import { formatInstant } from './instant-format.util';
import { resolveObjectType } from './object-types.registry';
import type { StoredPipeline, StoredStage } from './pipeline-registry';

/** The one version the sandbox serves the pipelines API at (the platform's HUBSPOT_API_VERSION). */
const PIPELINES_VERSION = '2026-03';

/**
 * HubSpot's pipelines API, read side, for deals: `GET /crm/pipelines/2026-03/{objectType}` (every pipeline, no
 * paging: CollectionResponsePipelineNoPaging) and `GET /crm/pipelines/2026-03/{objectType}/{pipelineId}`
 * (`PublicApiSpecs/CRM/Pipelines/Rollouts/145896/2026-03`). Strict where the platform must be:
 *
 * - only the 2026-03 paths: `/crm/v3/pipelines/...` is refused (404) although HubSpot serves it until September
 *   2027, so a v3 call in the platform fails its tests instead of its customers later;
 * - deals only (`deals` or `0-3`); the sandbox keeps no ticket pipelines;
 * - read only: pipelines are added and deleted through the sandbox's own hooks (HubSpotSandbox.addDealPipeline,
 *   deleteDealPipeline, deleteDealStage);
 * - archived (deleted) pipelines and stages are left out. The 2026-03 spec's GET has no `archived` parameter and
 *   does not say whether archived ones are listed (its Pipeline and PipelineStage carry `archived`), so clients
 *   should skip `archived: true` themselves.
 *
 * The scope check (crm-scopes.ts) and the rate limit (a standard call) are the router's, as for every CRM endpoint.
 * Undefined when the path is not a pipelines path.
 */
export function routePipelines(ctx: ApiContext, segments: string[]): ApiResult | undefined {
  const [root, first, second, typeRaw, pipelineId, ...rest] = segments;
  if (root !== 'crm') return undefined;
  if (first === 'v3' && second === 'pipelines') return { status: 404, body: v3Refused(`/${segments.join('/')}`) };
  if (first !== 'pipelines') return undefined;
  if (second !== PIPELINES_VERSION || typeRaw === undefined || rest.length > 0 || ctx.method !== 'GET') return { status: 404, body: resourceNotFound() };
  if (resolveObjectType(typeRaw) !== 'deals') return { status: 404, body: errorBody(`The sandbox keeps deal pipelines only, not ${typeRaw}.`, 'OBJECT_NOT_FOUND') };
  if (pipelineId === undefined) return { status: 200, body: { results: ctx.portal.pipelines.active().map(publicPipeline) } };
  const pipeline = ctx.portal.pipelines.get(pipelineId);
  return pipeline
    ? { status: 200, body: publicPipeline(pipeline) }
    : { status: 404, body: errorBody(`Unable to find pipeline ${pipelineId}.`, 'OBJECT_NOT_FOUND', { context: { id: [pipelineId] } }) };
}

/** Pipeline, fields as the 2026-03 spec names them (dates ISO 8601; the default pipeline's createdAt is 0). */
export function publicPipeline(pipeline: StoredPipeline): Record<string, unknown> {
  return {
    id: pipeline.id,
    label: pipeline.label,
    displayOrder: pipeline.displayOrder,
    archived: false,
    createdAt: formatInstant(pipeline.createdAt),
    updatedAt: formatInstant(pipeline.updatedAt),
    stages: pipeline.stages.map(publicStage),
  };
}

/**
 * PipelineStage: `metadata` is a map of strings in the spec (`probability` "0.2"; `isClosed` "true"/"false", which
 * the spec does not list but HubSpot's answers carry, as integrations that read them show).
 */
function publicStage(stage: StoredStage): Record<string, unknown> {
  return {
    id: stage.id,
    label: stage.label,
    displayOrder: stage.displayOrder,
    metadata: { isClosed: String(stage.isClosed), probability: stage.probability },
    archived: false,
    createdAt: formatInstant(stage.createdAt),
    updatedAt: formatInstant(stage.updatedAt),
    writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
  };
}

function v3Refused(path: string): HubSpotErrorBody {
  return errorBody(`${path}: the sandbox serves the pipelines API at /crm/pipelines/${PIPELINES_VERSION}/... only (v1–v3 lose support in September 2027; the platform calls the date-versioned path).`, 'OBJECT_NOT_FOUND');
}
