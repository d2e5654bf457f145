import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, CLOCK, EventStore, HubSpotOAuth, publicBaseUrlOf, startStory, StreamIds, type Clock, type PlatformEvent } from '@app/common';
import { ConnectionInspector } from '../onboarding/connection-inspector';
import { PortalConnector, type ConnectResult } from '../onboarding/portal-connector.service';
import { InstallStates } from './install-states';
import { SettingsTemplates } from './settings-templates';

export type InstallStart = { kind: 'redirect'; location: string } | { kind: 'refused'; status: 400 | 503; message: string };

export type InstallRefusalCode = PlatformEvent<'PortalInstallRefused'>['data']['code'];

export type InstallOutcome =
  | { kind: 'connected'; result: ConnectResult }
  | { kind: 'refused'; status: 400 | 403 | 422 | 503; code: InstallRefusalCode; message: string };

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

/**
 * The agency's OAuth install (docs/decisions/0020): GET /oauth/install sends the
 * installer to HubSpot's authorize page with the app's required and optional scopes
 * and a signed, single-use, short-lived state; GET /oauth/callback checks the
 * state, exchanges the code at HubSpot's 2026-03 token endpoint, asks HubSpot which
 * portal and scopes the token has (introspection) and the account's details, and
 * registers or reconnects the portal. Any refusal changes nothing and is recorded.
 */
@Injectable()
export class OAuthInstallService {
  private readonly states: InstallStates;
  private readonly templates: SettingsTemplates;

  constructor(
    private readonly config: AppConfig,
    private readonly oauth: HubSpotOAuth,
    private readonly inspector: ConnectionInspector,
    private readonly connector: PortalConnector,
    private readonly eventStore: EventStore,
    dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.states = new InstallStates(dataSource, config.hubspotClientSecret ?? '', config.oauthStateTtlMs);
    this.templates = new SettingsTemplates(dataSource);
  }

  get redirectUri(): string {
    return `${publicBaseUrlOf(this.config)}/oauth/callback`;
  }

  /**
   * The open install link (GET /oauth/install): anyone who has it can install the app,
   * so the portal it registers starts paused with `install-approval-needed`, and a
   * portal an operator disconnected is not resumed by it. An operator's link
   * (`mint`) is approved in advance.
   */
  async start(query: { template?: string; portalId?: string }): Promise<InstallStart> {
    let expectedPortalId: number | null = null;
    if (query.portalId !== undefined) {
      if (!/^[1-9]\d{0,15}$/.test(query.portalId)) return { kind: 'refused', status: 400, message: 'portalId must be a HubSpot portal (hub) id' };
      expectedPortalId = Number(query.portalId);
    }
    const link = await this.link({ template: query.template?.trim() || null, expectedPortalId, approved: false });
    return link.kind === 'refused' ? link : { kind: 'redirect', location: link.url };
  }

  /**
   * An install link minted by an operator (POST /admin/install-links) for one client:
   * HubSpot's authorize URL with an approved, single-use state valid for `ttlHours`
   * (default 72), so the portal it installs starts active.
   */
  async mint(request: { template?: string; portalId?: number; ttlHours?: number }): Promise<{ kind: 'minted'; url: string; expiresAt: string } | Extract<InstallStart, { kind: 'refused' }>> {
    const link = await this.link({ template: request.template?.trim() || null, expectedPortalId: request.portalId ?? null, approved: true, ttlMs: (request.ttlHours ?? 72) * 3_600_000 });
    return link.kind === 'refused' ? link : { kind: 'minted', url: link.url, expiresAt: link.expiresAt.toISOString() };
  }

  private async link(options: { template: string | null; expectedPortalId: number | null; approved: boolean; ttlMs?: number }): Promise<{ kind: 'link'; url: string; expiresAt: Date } | Extract<InstallStart, { kind: 'refused' }>> {
    if (!this.oauth.configured) return { kind: 'refused', status: 503, message: 'OAuth installs are not configured here: set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET' };
    const { template, expectedPortalId } = options;
    if (template !== null && !(await this.templates.find(template))) return { kind: 'refused', status: 400, message: `there is no settings template named "${template}" (PUT /admin/settings-templates/${template} creates it)` };
    const { state, expiresAt } = await this.states.create(options, this.clock());
    // HubSpot pins an install to one account with its id between /oauth/ and /authorize.
    const authorize = expectedPortalId === null ? this.config.hubspotAuthorizeUrl : this.config.hubspotAuthorizeUrl.replace(/\/oauth\/authorize$/, `/oauth/${expectedPortalId}/authorize`);
    const url = new URL(authorize);
    url.searchParams.set('client_id', this.config.hubspotClientId!);
    url.searchParams.set('scope', this.config.hubspotOauthScopes.join(' '));
    if (this.config.hubspotOauthOptionalScopes.length > 0) url.searchParams.set('optional_scope', this.config.hubspotOauthOptionalScopes.join(' '));
    url.searchParams.set('redirect_uri', this.redirectUri);
    url.searchParams.set('state', state);
    return { kind: 'link', url: url.toString(), expiresAt };
  }

  async complete(query: CallbackQuery): Promise<InstallOutcome> {
    const now = this.clock();
    const state = await this.states.consume(query.state, now);
    if (state.kind !== 'valid') {
      const code: InstallRefusalCode = state.kind === 'invalid' ? 'state-invalid' : state.kind === 'used' ? 'state-used' : 'state-expired';
      const why = { invalid: 'is missing or was not issued here', used: 'was already used (each install link works once)', expired: 'has expired' }[state.kind];
      return this.refuse(403, code, `This install's state ${why}: start again from the install link. Nothing was changed.`, null, null);
    }
    const expected = state.expectedPortalId;
    if (query.error) return this.refuse(400, 'denied', `HubSpot did not grant access (${query.error}${query.error_description ? `: ${query.error_description}` : ''}). Nothing was changed.`, expected, null);
    if (!query.code) return this.refuse(400, 'code-refused', 'HubSpot sent no code: start again from the install link. Nothing was changed.', expected, null);
    const exchanged = await this.oauth.exchangeCode(query.code, this.redirectUri);
    if (!exchanged.ok) {
      const status = exchanged.failure.retriable ? 503 : 400;
      return this.refuse(status, 'code-refused', `HubSpot refused the install's code (${exchanged.failure.code ?? exchanged.failure.kind}: ${exchanged.failure.description}): start again from the install link. Nothing was changed.`, expected, null);
    }
    const tokens = exchanged.value;
    const hubId = tokens.hubId;
    // Until the portal is registered, nothing it granted is kept: a refusal below revokes the refresh token.
    const refuseAndRevoke = async (status: 403 | 422 | 503, code: InstallRefusalCode, message: string, portalId: number | null) => {
      await this.oauth.revoke(tokens.refreshToken);
      return this.refuse(status, code, message, expected, portalId);
    };
    if (hubId === null) return refuseAndRevoke(422, 'inspection-failed', "HubSpot's token answer names no portal (hub_id): nothing was registered.", null);
    if (expected !== null && hubId !== expected) {
      return refuseAndRevoke(403, 'portal-mismatch', `The app was installed in HubSpot portal ${hubId}, but this link was for portal ${expected}: install it from the right account. Nothing was changed.`, hubId);
    }
    const inspected = await this.inspector.inspect({ portalId: hubId }, { kind: 'oauth', accessToken: tokens.accessToken });
    if ('kind' in inspected) return refuseAndRevoke(inspected.status, 'inspection-failed', `${inspected.messages.join('; ')}. Nothing was changed.`, hubId);
    const missing = this.config.hubspotOauthScopes.filter((scope) => !inspected.scopes.includes(scope));
    if (missing.length > 0) {
      return refuseAndRevoke(422, 'scopes-missing', `HubSpot granted the app without the required scopes ${missing.join(', ')}: check the app's scopes in HubSpot (they must match HUBSPOT_OAUTH_SCOPES) and install again. Nothing was changed.`, hubId);
    }
    const settings = state.template ? await this.templates.find(state.template) : undefined;
    const result = await this.connector.connect({
      portalId: hubId,
      via: 'oauth-install',
      mode: 'oauth',
      tokens: { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: new Date(now.getTime() + tokens.expiresIn * 1000) },
      ...(settings ? { settings } : {}),
      inspected,
      requestedBy: inspected.userId !== null ? `hubspot-user:${inspected.userId}` : 'oauth-install',
      approved: state.approved,
    });
    return { kind: 'connected', result };
  }

  private async refuse(status: 400 | 403 | 422 | 503, code: InstallRefusalCode, message: string, expectedPortalId: number | null, hubId: number | null): Promise<InstallOutcome> {
    const portalId = hubId ?? expectedPortalId ?? 0;
    const event = startStory({ type: 'PortalInstallRefused', portalId, data: { reason: message, code, expectedPortalId, hubId } }, this.clock());
    await this.eventStore.append({ streamId: StreamIds.portal(portalId), events: [event] });
    return { kind: 'refused', status, code, message };
  }
}
