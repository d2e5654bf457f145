import { Injectable } from '@nestjs/common';
import { classifyHubSpotFailure, HubSpotApi, HubSpotBudget, HubSpotOAuth, hubSpotMessage, isPlainObject, type PortalAccount, type PortalHubSpotPlan } from '@app/common';

/** What HubSpot says about a token and its account. */
export interface InspectedConnection {
  hubId: number;
  appId: number | null;
  hubDomain: string | null;
  scopes: string[];
  userId: number | null;
  account: PortalAccount;
  /** The daily API usage HubSpot reports for private apps (null: not reported for this kind of token). */
  dailyUsage: { used: number; limit: number; resetsAt: string | null } | null;
}

/** Why a connection cannot be made: 422 (the token is wrong for it: say what to fix), 503 (HubSpot did not answer: retry). */
export type InspectionRefusal = { kind: 'refused'; status: 422 | 503; messages: string[] };

const MAX_BUDGET_WAIT_MS = 5_000;

/**
 * Asks HubSpot what a token is before the platform stores it (onboarding, a new
 * token, an OAuth callback): which portal and app it belongs to and its scopes
 * (OAuth: token introspection; a private app's static token: HubSpot's private-app
 * token info), then the account's details (time zone, currency, hosting). Every
 * call inside the portal's budget. HubSpot does not report the plan tier: it comes
 * from settings, with the daily usage shown beside it.
 */
@Injectable()
export class ConnectionInspector {
  constructor(
    private readonly hubspot: HubSpotApi,
    private readonly budget: HubSpotBudget,
    private readonly oauth: HubSpotOAuth,
  ) {}

  async inspect(portal: { portalId: number; plan?: PortalHubSpotPlan }, token: { kind: 'oauth' | 'static'; accessToken: string }): Promise<InspectedConnection | InspectionRefusal> {
    const identity = token.kind === 'oauth' ? await this.introspect(token.accessToken) : await this.staticTokenInfo(portal, token.accessToken);
    if ('kind' in identity) return identity;
    if (identity.hubId !== portal.portalId) {
      return refused(422, `the token belongs to HubSpot portal ${identity.hubId}, not ${portal.portalId}: use that portal's token (or register portal ${identity.hubId}); nothing was saved`);
    }
    const account = await this.accountDetails(portal, token.accessToken);
    if ('kind' in account) return account;
    const dailyUsage = token.kind === 'static' ? await this.dailyUsage(portal, token.accessToken) : null;
    return { ...identity, account, dailyUsage };
  }

  private async introspect(accessToken: string): Promise<Omit<InspectedConnection, 'account' | 'dailyUsage'> | InspectionRefusal> {
    const answer = await this.oauth.introspect(accessToken, 'access_token');
    if (!answer.ok) return refused(answer.failure.retriable ? 503 : 422, `HubSpot's token introspection failed (${answer.failure.kind}: ${answer.failure.description})`);
    const info = answer.value;
    if (!info.active || info.hubId === null) return refused(422, 'HubSpot says the access token is not active (expired or revoked): install the app again');
    return { hubId: info.hubId, appId: info.appId, hubDomain: info.hubDomain, scopes: info.scopes, userId: info.userId };
  }

  private async staticTokenInfo(portal: { portalId: number; plan?: PortalHubSpotPlan }, accessToken: string): Promise<Omit<InspectedConnection, 'account' | 'dailyUsage'> | InspectionRefusal> {
    const waited = await this.waitForBudget(portal);
    if (waited) return waited;
    const answer = await this.hubspot.call(null, 'privateApps.tokenInfo', {}, { body: { tokenKey: accessToken } });
    await this.budget.learnFrom(portal.portalId, answer);
    if (!answer.ok) return this.refusal(answer.error, 'reading the token (private app token info)');
    const body = isPlainObject(answer.body) ? answer.body : {};
    const hubId = typeof body.hubId === 'number' ? body.hubId : null;
    if (hubId === null) return refused(422, "HubSpot's token info names no portal: is this a private app's access token?");
    const scopes = Array.isArray(body.scopes) ? body.scopes.filter((s): s is string => typeof s === 'string') : [];
    return { hubId, appId: typeof body.appId === 'number' ? body.appId : null, hubDomain: null, scopes, userId: typeof body.userId === 'number' ? body.userId : null };
  }

  private async accountDetails(portal: { portalId: number; plan?: PortalHubSpotPlan }, accessToken: string): Promise<PortalAccount | InspectionRefusal> {
    const waited = await this.waitForBudget(portal);
    if (waited) return waited;
    const answer = await this.hubspot.call(accessToken, 'account.details', {});
    await this.budget.learnFrom(portal.portalId, answer);
    if (!answer.ok) return this.refusal(answer.error, "reading the account's details (time zone, currency)");
    const body = isPlainObject(answer.body) ? answer.body : {};
    const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : null);
    return { timeZone: text('timeZone'), currency: text('companyCurrency'), dataHostingLocation: text('dataHostingLocation'), uiDomain: text('uiDomain'), accountType: text('accountType'), utcOffset: text('utcOffset') };
  }

  /** Best effort: the usage is shown, never required. */
  private async dailyUsage(portal: { portalId: number; plan?: PortalHubSpotPlan }, accessToken: string): Promise<InspectedConnection['dailyUsage']> {
    if (await this.waitForBudget(portal)) return null;
    const answer = await this.hubspot.call(accessToken, 'account.dailyUsage', {});
    await this.budget.learnFrom(portal.portalId, answer);
    if (!answer.ok || !isPlainObject(answer.body) || !Array.isArray(answer.body.results)) return null;
    const first = answer.body.results.find(isPlainObject);
    if (!first || typeof first.currentUsage !== 'number' || typeof first.usageLimit !== 'number') return null;
    return { used: first.currentUsage, limit: first.usageLimit, resetsAt: typeof first.resetsAt === 'string' ? first.resetsAt : null };
  }

  private refusal(error: Parameters<typeof classifyHubSpotFailure>[0], doing: string): InspectionRefusal {
    const failure = classifyHubSpotFailure(error);
    const detail = `HubSpot ${typeof error.code === 'number' ? error.code : 'gave no answer'}: ${hubSpotMessage(error)}`;
    switch (failure.kind) {
      case 'retry':
        return refused(503, `HubSpot could not answer while ${doing} (${detail}); nothing was saved: retry later`);
      case 'unauthorized':
        return refused(422, failure.status === 403 ? `the token lacks a scope needed for ${doing} (${detail})` : `HubSpot refused the access token while ${doing} (${detail}): send a valid token; nothing was saved`);
      case 'not-found':
      case 'rejected':
        return refused(422, `HubSpot refused ${doing} (${detail}); nothing was saved`);
    }
  }

  private async waitForBudget(portal: { portalId: number; plan?: PortalHubSpotPlan }): Promise<InspectionRefusal | undefined> {
    const grant = await this.budget.acquireWithin({ portalId: portal.portalId, plan: portal.plan }, MAX_BUDGET_WAIT_MS);
    return grant.granted ? undefined : refused(503, `the portal's HubSpot budget is spent for ${Math.ceil(grant.waitMs / 1000)} s: ${grant.reason}; retry later`);
  }
}

function refused(status: 422 | 503, message: string): InspectionRefusal {
  return { kind: 'refused', status, messages: [message] };
}
