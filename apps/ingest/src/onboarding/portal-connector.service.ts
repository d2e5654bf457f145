import { Inject, Injectable } from '@nestjs/common';
import {
  CAPABILITY_NAMES,
  CAPABILITY_REQUIREMENTS,
  capabilitiesAllowedBy,
  CLOCK,
  HubSpotOAuth,
  PortalExistsError,
  PortalLifecycle,
  PortalTokens,
  PortalRepository,
  causedBy,
  startStory,
  type CapabilityName,
  type Clock,
  type EventPayloads,
  type EventType,
  type PlatformEvent,
  type Portal,
  type PortalAlertKind,
  type PortalConnection,
  type PortalSecrets,
  type PortalSettings,
  type PropertyBootstrapResult,
} from '@app/common';
import type { InspectedConnection } from './connection-inspector';
import { PropertyBootstrapError } from './property-bootstrap.error';
import { PropertyBootstrapService } from './property-bootstrap.service';

export interface ConnectRequest {
  portalId: number;
  /** For a new portal; default: HubSpot's domain of the account, else "HubSpot portal <id>". */
  name?: string;
  via: 'admin' | 'oauth-install';
  mode: PortalConnection['mode'];
  tokens: { accessToken: string; refreshToken?: string; expiresAt?: Date };
  /** A private app's own client secret (its webhooks are signed with it). */
  clientSecret?: string;
  /** Settings of a new portal (an existing one keeps its own). */
  settings?: PortalSettings;
  inspected: InspectedConnection;
  requestedBy: string;
  /**
   * false: the open install link (anyone with it can install): a new portal starts
   * paused with `install-approval-needed`, and a portal an operator disconnected stays
   * paused. Default true (an operator's request or minted link).
   */
  approved?: boolean;
  /** A registration only (POST /admin/portals): PortalExistsError when the portal is registered, never a reconnection. */
  mustBeNew?: boolean;
}

/** What DELETE /admin/portals/:portalId/connection did. */
export interface DisconnectReport {
  portalId: number;
  /** The refresh token was revoked at HubSpot (OAuth); false for a static token, which only HubSpot's UI can rotate. */
  revokedAtHubSpot: boolean;
  uninstalled: boolean;
  tokensErased: true;
  status: Portal['status'];
  /** What HubSpot refused or could not do (the stored tokens are erased anyway). */
  warnings: string[];
  eventId: string;
}

export interface ConnectResult {
  kind: 'registered' | 'reconnected';
  portal: Portal;
  capabilities: PortalConnection['capabilities'];
  /** The capabilities' properties in the portal (created, present, conflicting, ...); absent when nothing could be checked. */
  bootstrap: { results: PropertyBootstrapResult[] } | { error: string; missingScopes: string[] };
  dailyUsage: InspectedConnection['dailyUsage'];
  /**
   * The app webhook subscriptions the enabled capabilities need. HubSpot's API for an
   * app's subscriptions takes a developer key the platform does not hold, so they are
   * listed for the operator to configure rather than checked.
   */
  subscriptions: SubscriptionToConfigure[];
}

export interface SubscriptionToConfigure {
  capability: CapabilityName;
  subscriptionType: string;
  propertyName?: string;
  why: string;
}

/** The subscriptions each of `capabilities` needs, from the capability catalogue. */
export function subscriptionsFor(capabilities: readonly string[]): SubscriptionToConfigure[] {
  return CAPABILITY_NAMES.filter((name) => capabilities.includes(name)).flatMap((capability) => CAPABILITY_REQUIREMENTS[capability].subscriptions.map((s) => ({ capability, ...s })));
}

/**
 * Registers a portal, or reconnects one, once HubSpot has said what its token is
 * (ConnectionInspector): the secrets go to portal_credentials and the portal's
 * story to its stream (PortalRegistered, PortalConnected, PortalAccountRead, and on
 * a reconnect what changed: scopes, the access-revoked pause lifted) in one
 * transaction; then the capabilities its scopes allow get their properties
 * (property bootstrap). A capability whose scopes are missing stays off, named
 * with the scopes it lacks.
 */
@Injectable()
export class PortalConnector {
  constructor(
    private readonly portals: PortalRepository,
    private readonly lifecycle: PortalLifecycle,
    private readonly bootstrap: PropertyBootstrapService,
    private readonly oauth: HubSpotOAuth,
    private readonly tokens: PortalTokens,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Ends a portal's connection: the refresh token is revoked at HubSpot (and, with
   * `uninstall`, the app uninstalled from the account), the stored tokens are erased
   * and the portal paused, recorded as PortalDisconnected (+ PortalStatusChanged).
   * The portal, its settings and its audit trail stay; ingest keeps recording its
   * webhooks (ignored while it is not active). Reconnecting (an install, or a new
   * token) resumes it. Undefined when the portal is not registered.
   */
  async disconnect(portalId: number, options: { uninstall: boolean; requestedBy: string }): Promise<DisconnectReport | undefined> {
    const portal = await this.portals.find(portalId);
    if (!portal) return undefined;
    const secrets = await this.portals.credentials.read(portalId);
    const warnings: string[] = [];
    let uninstalled = false;
    let revokedAtHubSpot = false;
    let refreshToken = secrets?.refreshToken ?? null;
    if (secrets && options.uninstall) {
      const usable = await this.usableTokens(portalId, secrets);
      refreshToken = usable.refreshToken;
      const answer = await this.oauth.uninstall(usable.accessToken);
      if (answer.ok) uninstalled = true;
      else warnings.push(`HubSpot did not uninstall the app (${answer.failure.kind}: ${answer.failure.description}): uninstall it in the portal's Connected apps`);
    }
    if (refreshToken) {
      const answer = await this.oauth.revoke(refreshToken);
      // invalid_grant: the refresh token was revoked already (an uninstall revokes it).
      if (answer.ok || answer.failure.kind === 'invalid-grant') revokedAtHubSpot = true;
      else warnings.push(`HubSpot did not revoke the refresh token (${answer.failure.kind}: ${answer.failure.description}); it is erased here and HubSpot expires unused refresh tokens`);
    } else if (secrets && !uninstalled) {
      warnings.push(`a ${secrets.mode === 'private-app' ? "private app's" : 'pasted'} token cannot be revoked through HubSpot's API: rotate it in the app's settings in HubSpot`);
    }
    const now = this.clock();
    const disconnected = startStory(
      { type: 'PortalDisconnected', portalId, data: { requestedBy: options.requestedBy, revokedAtHubSpot, uninstalled, reason: options.uninstall ? 'disconnected and uninstalled by an operator' : 'disconnected by an operator' } },
      now,
    );
    const events: PlatformEvent[] = [disconnected];
    if (portal.status === 'active') {
      events.push(causedBy(disconnected, { type: 'PortalStatusChanged', portalId, data: { from: 'active', to: 'paused', reason: 'disconnected: no token to call HubSpot with', requestedBy: options.requestedBy } }, now));
    }
    await this.lifecycle.record(portalId, events, (manager) => this.portals.credentials.erase(portalId, manager));
    return { portalId, revokedAtHubSpot, uninstalled, tokensErased: true, status: portal.status === 'active' ? 'paused' : portal.status, warnings, eventId: disconnected.id };
  }

  /**
   * The tokens to uninstall with: an OAuth access token lives 30 minutes and HubSpot
   * refuses an expired one (401), so PortalTokens refreshes one that expired (or is
   * about to) first, as for any call; the refresh token to revoke afterwards is the
   * one stored then.
   */
  private async usableTokens(portalId: number, secrets: PortalSecrets): Promise<{ accessToken: string; refreshToken: string | null }> {
    if (secrets.mode !== 'oauth') return { accessToken: secrets.accessToken, refreshToken: secrets.refreshToken };
    const accessToken = (await this.tokens.accessToken(portalId).catch(() => undefined)) ?? secrets.accessToken;
    return { accessToken, refreshToken: (await this.portals.credentials.read(portalId))?.refreshToken ?? secrets.refreshToken };
  }

  async connect(request: ConnectRequest): Promise<ConnectResult> {
    const { portalId, inspected } = request;
    const now = this.clock();
    const existing = await this.portals.find(portalId);
    if (existing && request.mustBeNew) throw new PortalExistsError(portalId);
    const capabilities = capabilitiesAllowedBy(inspected.scopes);
    const connection: PortalConnection = {
      mode: request.mode,
      appId: inspected.appId,
      hubDomain: inspected.hubDomain,
      scopes: [...inspected.scopes].sort(),
      capabilities,
      installedByUserId: inspected.userId,
    };
    // An OAuth install's calls count against the public app's limits (per install), unless the settings say otherwise.
    const settings = request.mode === 'oauth' ? { ...request.settings, hubspot: { appType: 'public' as const, ...request.settings?.hubspot } } : (request.settings ?? {});
    const approved = request.approved ?? true;
    const first: PlatformEvent = existing
      ? startStory({ type: 'PortalConnected', portalId, data: { ...connection, reconnect: true } }, now)
      : startStory({ type: 'PortalRegistered', portalId, data: { name: request.name ?? inspected.hubDomain ?? `HubSpot portal ${portalId}`, status: approved ? 'active' : 'paused', settings, via: request.via } }, now);
    const events: PlatformEvent[] = [first];
    const then = <T extends EventType>(type: T, data: EventPayloads[T]) => events.push(causedBy(first, { type, portalId, data }, now));
    if (!existing) {
      then('PortalConnected', { ...connection, reconnect: false });
      if (!approved) {
        then('PortalAlertRaised', {
          alert: 'install-approval-needed',
          message: `installed through the open install link by ${request.requestedBy}: paused until an operator approves it (PATCH /admin/portals/${portalId} {"status":"active","clearAlerts":true}); mint per-client links with POST /admin/install-links to skip this`,
          hubspotStatus: null,
          pause: true,
        });
      }
    } else {
      const before = existing.connection.scopes ?? [];
      const added = connection.scopes.filter((s) => !before.includes(s));
      const removed = before.filter((s) => !connection.scopes.includes(s));
      if (existing.connection.scopes && (added.length > 0 || removed.length > 0)) then('PortalScopesChanged', { added, removed, scopes: connection.scopes, capabilities });
      // The pause a revoked access or a disconnect caused ends with the reconnection; any other alert stays for the operator.
      // Only an operator (or a link an operator minted) undoes an operator's disconnect or approves an open install.
      const alerts = Object.keys(existing.alerts);
      const disconnected = existing.connection.disconnectedAt !== undefined;
      const lifted = alerts.filter((a) => a === 'access-revoked' || (approved && a === 'install-approval-needed'));
      if (lifted.length > 0) then('PortalAlertsCleared', { alerts: lifted as PortalAlertKind[], requestedBy: request.requestedBy });
      const remaining = alerts.filter((a) => !lifted.includes(a));
      if (!approved && disconnected) {
        then('PortalAlertRaised', {
          alert: 'install-approval-needed',
          message: `reinstalled through the open install link by ${request.requestedBy} after an operator disconnected it: paused until an operator approves it (PATCH /admin/portals/${portalId} {"status":"active","clearAlerts":true}, or a link from POST /admin/install-links)`,
          hubspotStatus: null,
          pause: true,
        });
      } else if (existing.status === 'paused' && remaining.length === 0 && (lifted.length > 0 || disconnected)) {
        const reason = disconnected ? 'reconnected after it was disconnected' : lifted.includes('install-approval-needed') ? 'approved through an install link an operator minted' : 'reconnected after its access was revoked';
        then('PortalStatusChanged', { from: 'paused', to: 'active', reason, requestedBy: request.requestedBy });
      }
    }
    then('PortalAccountRead', inspected.account);
    try {
      await this.lifecycle.record(
        portalId,
        events,
        (manager) =>
          this.portals.credentials.save(
            portalId,
            {
              mode: request.mode,
              accessToken: request.tokens.accessToken,
              expiresAt: request.tokens.expiresAt ?? null,
              refreshToken: request.tokens.refreshToken ?? null,
              clientSecret: request.clientSecret ?? null,
              appId: inspected.appId,
            },
            manager,
          ),
        { mustBeNew: !existing },
      );
    } catch (error) {
      // Registered meanwhile by a concurrent install (a second tab): this one becomes a reconnection.
      // An operator's POST /admin/portals is told it exists instead.
      if (error instanceof PortalExistsError && request.via === 'oauth-install') return this.connect(request);
      throw error;
    }
    const portal = (await this.portals.find(portalId))!;
    const bootstrap = await this.bootstrapProperties(portal, request.tokens.accessToken, capabilities.enabled as CapabilityName[], first);
    return { kind: existing ? 'reconnected' : 'registered', portal, capabilities, bootstrap, dailyUsage: inspected.dailyUsage, subscriptions: subscriptionsFor(capabilities.enabled) };
  }

  private async bootstrapProperties(portal: Portal, accessToken: string, capabilities: CapabilityName[], cause: PlatformEvent): Promise<ConnectResult['bootstrap']> {
    if (capabilities.length === 0) return { results: [] };
    try {
      const plan = portal.settings.hubspot;
      return { results: (await this.bootstrap.bootstrap(portal.portalId, { accessToken, ...(plan ? { plan } : {}) }, capabilities, 'onboarding', cause)).results };
    } catch (error) {
      if (!(error instanceof PropertyBootstrapError)) throw error;
      return { error: `${error.message}; run POST /admin/portals/${portal.portalId}/bootstrap once fixed`, missingScopes: error.missingScopes };
    }
  }
}
