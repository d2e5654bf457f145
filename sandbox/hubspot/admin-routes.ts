import { isJsonObject } from '../shared/http-io.util';
import type { AddPortalInput, AppConfig, CrmObjectType, FaultSpec, WebhookEvent } from './hubspot.types';
import type { AddOwnerInput } from './owner-registry';
import { resolveObjectType } from './object-types.registry';
import type { HubSpotSandbox } from './hubspot-sandbox';
import type { InstallTarget } from './oauth/oauth.types';
import type { AddPipelineInput } from './pipeline-registry';

export interface AdminResult {
  status: number;
  body?: unknown;
}

const ok = (body: unknown, status = 200): AdminResult => ({ status, body });
const bad = (message: string, status = 400): AdminResult => ({ status, body: { error: message } });

function typeOf(raw: string | undefined): CrmObjectType | undefined {
  return raw === undefined ? undefined : resolveObjectType(raw);
}

/**
 * The `/__sandbox/...` control surface, so another process (the demo, e2e tests) can drive the sandbox:
 *
 * - `GET  /__sandbox/health`
 * - `GET  /__sandbox/portals` · `POST /__sandbox/portals` (AddPortalInput; again for an existing portal: adds the
 *   token and, when given, sets its `batchResults`: `v3-reference` or `2026-03-documented`)
 * - `GET  /__sandbox/portals/:portalId/rate-limit`
 * - `POST /__sandbox/portals/:portalId/faults` (`[FaultSpec]` or `{faults:[...]}`: `{status}`, `{drop: true}`,
 *   `{statusAfterApply}`, `{dropAfterApply: true}`, `{delayMs}` or `{delayAfterApplyMs}`, each with an optional `count`; anything else → 400)
 * - `POST /__sandbox/portals/:portalId/properties/:type` (property definition, as the API takes it)
 * - `GET  /__sandbox/portals/:portalId/owners` · `POST /__sandbox/portals/:portalId/owners` (AddOwnerInput)
 * - `DELETE /__sandbox/portals/:portalId/owners/:ownerId` (deactivates the owner: archived, as HubSpot shows it)
 * - `GET  /__sandbox/portals/:portalId/pipelines/deals` · `POST /__sandbox/portals/:portalId/pipelines/deals`
 *   (AddPipelineInput: `{id?, label, displayOrder?, stages: [{id?, label, probability, isClosed?}]}`)
 * - `DELETE /__sandbox/portals/:portalId/pipelines/deals/:pipelineId` · `DELETE .../pipelines/deals/:pipelineId/stages/:stageId`
 *   (deleted as HubSpot deletes them: archived, their deals keep pipeline and stage)
 * - `POST /__sandbox/portals/:portalId/objects/:type` (`{properties, id?, fireWebhooks? = true}`)
 * - `GET  /__sandbox/portals/:portalId/objects/:type` · `GET /__sandbox/portals/:portalId/objects/:type/:id`
 * - `GET  /__sandbox/apps` · `POST /__sandbox/apps` (AppConfig: OAuth client, distribution, private app's portal, webhooks)
 * - `GET  /__sandbox/oauth/install-target` · `POST /__sandbox/oauth/install-target` (`{portalId, deny?, grantScopes?,
 *   userId?, userEmail?}`: who installs on `/oauth/authorize`; `null` or `{portalId: null}` clears) · `DELETE` (clears)
 * - `POST /__sandbox/oauth/uninstall` (`{portalId, appId?}`: the user uninstalled the app in HubSpot)
 * - `GET  /__sandbox/oauth/installs` · `GET /__sandbox/oauth/tokens?portalId=&appId=&kind=` (codes and tokens issued)
 * - `GET  /__sandbox/oauth/options` · `POST /__sandbox/oauth/options` (`{rotateRefreshTokens}`)
 * - `GET  /__sandbox/requests?portalId=&since=` · `DELETE /__sandbox/requests`
 * - `GET  /__sandbox/webhooks/deliveries` · `POST /__sandbox/webhooks/send` (`{events, appId?}`)
 * - `POST /__sandbox/clock` (`{advanceMs}`: moves the sandbox clock forward, e.g. to refill rate-limit windows)
 */
export function handleAdmin(sandbox: HubSpotSandbox, method: string, segments: string[], query: URLSearchParams, body: unknown): AdminResult {
  const [, area, idRaw, sub, typeRaw, objectId] = segments;
  try {
    if (area === 'health' && method === 'GET') return ok({ ok: true });
    if (area === 'clock' && method === 'POST') {
      const advance = isJsonObject(body) ? Number(body.advanceMs) : NaN;
      if (!Number.isFinite(advance) || advance < 0) return bad('advanceMs must be a non-negative number');
      sandbox.advanceClock(advance);
      return ok({ now: sandbox.now() });
    }
    if (area === 'portals') {
      if (idRaw === undefined) {
        if (method === 'GET') return ok({ results: sandbox.portals() });
        if (method === 'POST') {
          if (!isJsonObject(body)) return bad('expected a portal object');
          return ok(sandbox.addPortal(body as unknown as AddPortalInput), 201);
        }
      }
      const portalId = Number(idRaw);
      if (!sandbox.hasPortal(portalId)) return bad(`no portal ${String(idRaw)}`, 404);
      if (sub === 'rate-limit' && method === 'GET') return ok(sandbox.rateLimitStats(portalId));
      if (sub === 'faults' && method === 'POST') {
        const faults = Array.isArray(body) ? body : isJsonObject(body) && Array.isArray(body.faults) ? body.faults : null;
        if (!faults) return bad('expected an array of faults');
        sandbox.injectFaults(portalId, faults as unknown as FaultSpec[]);
        return ok({ queued: faults.length });
      }
      if (sub === 'owners') {
        if (method === 'GET' && typeRaw === undefined) return ok({ results: sandbox.listOwners(portalId) });
        if (method === 'POST' && typeRaw === undefined) {
          if (!isJsonObject(body)) return bad('expected an owner object');
          return ok(sandbox.addOwner(portalId, body as unknown as AddOwnerInput), 201);
        }
        if (method === 'DELETE' && typeRaw !== undefined) return ok(sandbox.archiveOwner(portalId, typeRaw));
      }
      if (sub === 'pipelines') {
        if (typeOf(typeRaw) !== 'deals') return bad('the sandbox keeps deal pipelines only');
        const [stagesWord, stageId] = segments.slice(6);
        if (method === 'GET' && objectId === undefined) return ok({ results: sandbox.listDealPipelines(portalId) });
        if (method === 'POST' && objectId === undefined) {
          if (!isJsonObject(body)) return bad('expected a pipeline object');
          return ok(sandbox.addDealPipeline(portalId, body as unknown as AddPipelineInput), 201);
        }
        if (method === 'DELETE' && objectId !== undefined && stagesWord === undefined) {
          sandbox.deleteDealPipeline(portalId, objectId);
          return ok({ deleted: objectId });
        }
        if (method === 'DELETE' && objectId !== undefined && stagesWord === 'stages' && stageId !== undefined) {
          sandbox.deleteDealStage(portalId, objectId, stageId);
          return ok({ deleted: stageId });
        }
      }
      const type = typeOf(typeRaw);
      if (sub === 'properties' && method === 'POST') {
        if (!type) return bad(`unknown object type ${String(typeRaw)}`);
        const result = sandbox.defineProperty(portalId, type, body);
        return result.ok ? ok(result.property, 201) : bad(result.message, result.status);
      }
      if (sub === 'objects') {
        if (!type) return bad(`unknown object type ${String(typeRaw)}`);
        if (method === 'POST' && objectId === undefined) {
          if (!isJsonObject(body) || !isJsonObject(body.properties)) return bad('expected {properties}');
          const created = sandbox.seedObject(portalId, type, body.properties as Record<string, string>, {
            ...(typeof body.id === 'string' || typeof body.id === 'number' ? { id: String(body.id) } : {}),
            fireWebhooks: body.fireWebhooks !== false,
          });
          return ok(created, 201);
        }
        if (method === 'GET' && objectId === undefined) return ok({ results: sandbox.listObjects(portalId, type) });
        if (method === 'GET' && objectId !== undefined) {
          const object = sandbox.getObject(portalId, type, objectId);
          return object ? ok(object) : bad(`no ${type} ${objectId}`, 404);
        }
      }
    }
    if (area === 'apps') {
      if (method === 'GET') return ok({ results: sandbox.apps() });
      if (method === 'POST') {
        if (!isJsonObject(body)) return bad('expected an app object');
        sandbox.configureApp(body as unknown as AppConfig);
        return ok({ configured: body.appId }, 201);
      }
    }
    if (area === 'oauth') return handleOAuthAdmin(sandbox, method, idRaw, query, body);
    if (area === 'requests') {
      if (method === 'DELETE') {
        sandbox.clearRequests();
        return ok({ cleared: true });
      }
      if (method === 'GET') {
        const portalId = query.get('portalId');
        const since = Number(query.get('since') ?? 0) || 0;
        const entries = sandbox.requests().filter((r) => (portalId === null || r.portalId === Number(portalId)) && r.seq > since);
        return ok({ results: entries });
      }
    }
    if (area === 'webhooks') {
      if (idRaw === 'deliveries' && method === 'GET') return ok({ results: sandbox.webhookDeliveries() });
      if (idRaw === 'send' && method === 'POST') {
        if (!isJsonObject(body) || !Array.isArray(body.events)) return bad('expected {events}');
        const appId = typeof body.appId === 'number' ? body.appId : undefined;
        return ok({ events: sandbox.sendWebhook(body.events as Array<Partial<WebhookEvent>>, appId !== undefined ? { appId } : {}) });
      }
    }
    return bad('unknown sandbox route', 404);
  } catch (err) {
    return bad(err instanceof Error ? err.message : String(err));
  }
}

function handleOAuthAdmin(sandbox: HubSpotSandbox, method: string, route: string | undefined, query: URLSearchParams, body: unknown): AdminResult {
  if (route === 'install-target') {
    if (method === 'GET') return ok({ target: sandbox.installTarget() });
    if (method === 'DELETE' || (method === 'POST' && (body === null || body === undefined || (isJsonObject(body) && body.portalId === null)))) {
      sandbox.setInstallTarget(null);
      return ok({ target: null });
    }
    if (method === 'POST') {
      if (!isJsonObject(body)) return bad('expected {portalId, deny?, grantScopes?}');
      sandbox.setInstallTarget(body as unknown as InstallTarget);
      return ok({ target: body });
    }
  }
  if (route === 'uninstall' && method === 'POST') {
    if (!isJsonObject(body) || typeof body.portalId !== 'number') return bad('expected {portalId, appId?}');
    return ok(sandbox.uninstall(body.portalId, typeof body.appId === 'number' ? body.appId : undefined));
  }
  if (route === 'installs' && method === 'GET') return ok({ results: sandbox.installs() });
  if (route === 'tokens' && method === 'GET') {
    const [portalId, appId, kind] = [query.get('portalId'), query.get('appId'), query.get('kind')];
    const results = sandbox
      .issuedTokens()
      .filter((t) => (portalId === null || t.portalId === Number(portalId)) && (appId === null || t.appId === Number(appId)) && (kind === null || t.kind === kind));
    return ok({ results });
  }
  if (route === 'options') {
    if (method === 'POST') {
      if (!isJsonObject(body) || typeof body.rotateRefreshTokens !== 'boolean') return bad('expected {rotateRefreshTokens: boolean}');
      sandbox.setRotateRefreshTokens(body.rotateRefreshTokens);
    }
    if (method === 'GET' || method === 'POST') return ok({ rotateRefreshTokens: sandbox.rotatesRefreshTokens });
  }
  return bad('unknown sandbox route', 404);
}
