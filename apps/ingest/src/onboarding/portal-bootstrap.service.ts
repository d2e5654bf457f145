import { Injectable } from '@nestjs/common';
import { CAPABILITY_NAMES, PortalRepository, PortalTokens, type CapabilityName, type Portal, type PropertyBootstrapResult } from '@app/common';
import { PropertyBootstrapError, PropertyBootstrapErrorCode } from './property-bootstrap.error';
import { PropertyBootstrapService } from './property-bootstrap.service';

/** Counts of the results by outcome, groups included. */
export interface BootstrapSummary {
  created: number;
  present: number;
  optionsAdded: number;
  conflicting: number;
  failed: number;
}

/** What POST /admin/portals/:portalId/bootstrap answers (200). */
export interface PortalBootstrapReport {
  portalId: number;
  capabilities: CapabilityName[];
  results: PropertyBootstrapResult[];
  summary: BootstrapSummary;
}

export type PortalBootstrap =
  | { kind: 'done'; report: PortalBootstrapReport }
  | { kind: 'unknown-portal' }
  /** 422: the token cannot (refused, or scopes missing: named); 503: HubSpot could not answer. `results`: what was done before it stopped. */
  | { kind: 'refused'; status: 422 | 503; messages: string[]; missingScopes: string[]; results?: PropertyBootstrapResult[] };

/** An operator's property bootstrap of a registered portal, with its stored token. */
@Injectable()
export class PortalBootstrapService {
  constructor(
    private readonly portals: PortalRepository,
    private readonly bootstrap: PropertyBootstrapService,
    private readonly tokens: PortalTokens,
  ) {}

  /** `requested` absent: the capabilities enabled for the portal. */
  async run(portalId: number, requested: readonly CapabilityName[] | undefined): Promise<PortalBootstrap> {
    const portal = await this.portals.find(portalId);
    if (!portal) return { kind: 'unknown-portal' };
    const capabilities = requested ? [...new Set(requested)] : enabledCapabilities(portal);
    // PortalTokens: an OAuth portal's token is refreshed first when it is about to expire.
    const accessToken = await this.tokens.accessToken(portalId);
    if (!accessToken) return { kind: 'refused', status: 422, messages: [`portal ${portalId} has no stored access token: reconnect it, then run the bootstrap again`], missingScopes: [] };
    try {
      const { results } = await this.bootstrap.bootstrap(portalId, { accessToken, ...(portal.settings.hubspot ? { plan: portal.settings.hubspot } : {}) }, capabilities, 'admin');
      return { kind: 'done', report: { portalId, capabilities, results, summary: summarize(results) } };
    } catch (error) {
      if (!(error instanceof PropertyBootstrapError)) throw error;
      return { kind: 'refused', status: refusalStatus(error.code), messages: [error.message], missingScopes: error.missingScopes, ...(error.done ? { results: error.done.results } : {}) };
    }
  }
}

/**
 * Every capability but those the portal's connection lists as blocked (its token lacks
 * their scopes). A portal registered before connections existed has none blocked.
 */
export function enabledCapabilities(portal: Pick<Portal, 'connection'>): CapabilityName[] {
  const blocked = new Set((portal.connection.capabilities?.blocked ?? []).map((b) => b.capability));
  return CAPABILITY_NAMES.filter((name) => !blocked.has(name));
}

export function summarize(results: readonly PropertyBootstrapResult[]): BootstrapSummary {
  const count = (outcome: PropertyBootstrapResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  return { created: count('created'), present: count('present'), optionsAdded: count('options-added'), conflicting: count('conflicting'), failed: count('failed') };
}

function refusalStatus(code: PropertyBootstrapErrorCode): 422 | 503 {
  switch (code) {
    case PropertyBootstrapErrorCode.TokenRefused:
    case PropertyBootstrapErrorCode.MissingScopes:
      return 422;
    case PropertyBootstrapErrorCode.HubSpotUnavailable:
      return 503;
  }
}
