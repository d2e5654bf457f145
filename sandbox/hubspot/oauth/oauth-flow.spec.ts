import { HubSpotSandbox } from '../hubspot-sandbox';
import { apiCall, authorizeRequest, formPost, installAndExchange } from '../../test-support/oauth-client.helper';

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const APP = { appId: 7001, clientId: 'client-abc', clientSecret: 'secret-abc', redirectUris: ['https://platform.example/oauth/callback'] };
const REDIRECT = 'https://platform.example/oauth/callback';
const SCOPE = 'crm.objects.contacts.read crm.objects.contacts.write';
const TOKEN_PATH = '/oauth/2026-03/token';

describe('HubSpotSandbox OAuth (authorize, token, introspect, revoke)', () => {
  let clock = T0;
  let sandbox: HubSpotSandbox;
  let url: string;

  beforeEach(async () => {
    clock = T0;
    sandbox = new HubSpotSandbox({ now: () => clock });
    ({ url } = await sandbox.start());
    sandbox.addPortal({ portalId: 301, accessToken: 'pat-301' });
    sandbox.addPortal({ portalId: 302, accessToken: 'pat-302' });
    sandbox.configureApp(APP);
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  const install = (portalId = 301, scope = SCOPE) =>
    installAndExchange(url, { clientId: APP.clientId, clientSecret: APP.clientSecret, redirectUri: REDIRECT, scope, portalId });

  const authorizeCode = async (extra: Record<string, string> = {}, pathPortal?: number): Promise<string> => {
    const auth = await authorizeRequest(url, { client_id: APP.clientId, redirect_uri: REDIRECT, scope: SCOPE, ...extra }, pathPortal);
    const code = auth.location?.searchParams.get('code');
    if (!code) throw new Error(`no code: ${JSON.stringify(auth)}`);
    return code;
  };

  const exchange = (code: string, overrides: Record<string, string> = {}) =>
    formPost(url, TOKEN_PATH, { grant_type: 'authorization_code', client_id: APP.clientId, client_secret: APP.clientSecret, redirect_uri: REDIRECT, code, ...overrides });

  const refresh = (refreshToken: string, path = TOKEN_PATH) =>
    formPost(url, path, { grant_type: 'refresh_token', client_id: APP.clientId, client_secret: APP.clientSecret, refresh_token: refreshToken });

  const introspect = (token: string, creds = APP) =>
    formPost(url, `${TOKEN_PATH}/introspect`, { client_id: creds.clientId, client_secret: creds.clientSecret, token });

  describe('authorize', () => {
    it('redirects to redirect_uri with a code and the state, installing the app in the path portal', async () => {
      const auth = await authorizeRequest(url, { client_id: APP.clientId, redirect_uri: REDIRECT, scope: SCOPE, optional_scope: 'tickets', state: 'xyz' }, 301);
      expect(auth.status).toBe(302);
      expect(`${auth.location?.origin}${auth.location?.pathname}`).toBe(REDIRECT);
      expect(auth.location?.searchParams.get('code')).toEqual(expect.any(String));
      expect(auth.location?.searchParams.get('state')).toBe('xyz');
      expect(sandbox.installs()).toEqual([
        expect.objectContaining({ portalId: 301, appId: 7001, active: true, scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'tickets', 'oauth'] }),
      ]);
      expect(sandbox.portals().find((p) => p.portalId === 301)?.appId).toBe(7001);
    });

    it('installs into the install target without a portal in the path, and redirects with access_denied when it denies', async () => {
      expect((await authorizeRequest(url, { client_id: APP.clientId, redirect_uri: REDIRECT, scope: SCOPE })).status).toBe(400);
      sandbox.setInstallTarget({ portalId: 302 });
      await authorizeCode();
      expect(sandbox.installs().map((i) => i.portalId)).toEqual([302]);

      sandbox.setInstallTarget({ portalId: 301, deny: true });
      const denied = await authorizeRequest(url, { client_id: APP.clientId, redirect_uri: REDIRECT, scope: SCOPE, state: 'st' });
      expect(denied.status).toBe(302);
      expect(denied.location?.searchParams.get('error')).toBe('access_denied');
      expect(denied.location?.searchParams.get('error_description')).toEqual(expect.any(String));
      expect(denied.location?.searchParams.get('state')).toBe('st');
      expect(denied.location?.searchParams.get('code')).toBeNull();
      expect(sandbox.installs().map((i) => i.portalId)).toEqual([302]);
    });

    it('is driven over HTTP too: POST /__sandbox/oauth/install-target', async () => {
      const set = await fetch(`${url}/__sandbox/oauth/install-target`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ portalId: 301, grantScopes: ['crm.objects.contacts.read'] }) });
      expect(set.status).toBe(200);
      const code = await authorizeCode();
      expect((await exchange(code)).body.scopes).toEqual(['crm.objects.contacts.read']);
      expect(((await (await fetch(`${url}/__sandbox/oauth/install-target`)).json()) as { target: unknown }).target).toMatchObject({ portalId: 301 });
    });

    it('answers 400 without redirecting for an unknown client_id, a missing scope or redirect_uri, or an unregistered redirect_uri', async () => {
      const base = { client_id: APP.clientId, redirect_uri: REDIRECT, scope: SCOPE };
      const cases: Array<Record<string, string>> = [
        { ...base, client_id: 'nope' },
        { client_id: APP.clientId, redirect_uri: REDIRECT },
        { client_id: APP.clientId, scope: SCOPE },
        { ...base, redirect_uri: 'https://evil.example/callback' },
        { ...base, redirect_uri: `${REDIRECT}/` },
      ];
      for (const params of cases) {
        const refused = await authorizeRequest(url, params, 301);
        expect(refused.status).toBe(400);
        expect(refused.location).toBeUndefined();
      }
      expect((await authorizeRequest(url, { ...base, redirect_uri: 'https://evil.example/callback' }, 301)).body.message).toContain("doesn't match the app's registered redirect URL");
      expect(sandbox.installs()).toEqual([]);
      const html = await fetch(`${url}/oauth/301/authorize?client_id=nope&scope=x&redirect_uri=${encodeURIComponent(REDIRECT)}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(html.status).toBe(400);
      expect(html.headers.get('content-type')).toContain('text/html');
      expect(await html.text()).toContain('invalid app client_id');
    });
  });

  describe('token', () => {
    it('exchanges a code for tokens (200, HubSpot fields), once only', async () => {
      const code = await authorizeCode({}, 301);
      const first = await exchange(code);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        expires_in: 1800,
        token_type: 'bearer',
        token_use: 'access_token',
        hub_id: 301,
        user_id: expect.any(Number),
        scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'oauth'],
      });
      const again = await exchange(code);
      expect(again.status).toBe(400);
      expect(again.body).toMatchObject({ error: 'invalid_grant', status: 'BAD_AUTH_CODE', error_description: expect.any(String), message: expect.any(String) });
      expect((await apiCall(url, first.body.access_token, 'GET', '/crm/objects/2026-03/contacts')).status).toBe(200);
    });

    it('lets codes expire after 10 minutes and binds them to the redirect_uri and the client', async () => {
      const late = await authorizeCode({}, 301);
      clock += 10 * 60_000;
      expect((await exchange(late)).body).toMatchObject({ error: 'invalid_grant', status: 'BAD_AUTH_CODE' });

      const code = await authorizeCode({}, 301);
      expect((await exchange(code, { redirect_uri: 'https://platform.example/other' })).body).toMatchObject({ error: 'invalid_grant' });
      sandbox.configureApp({ appId: 7002, clientId: 'client-other', clientSecret: 'secret-other' });
      expect((await exchange(code, { client_id: 'client-other', client_secret: 'secret-other' })).body).toMatchObject({ error: 'invalid_grant', status: 'BAD_AUTH_CODE' });
      expect((await exchange(code)).status).toBe(200);
    });

    it('expires access tokens after 30 minutes of sandbox clock (401 EXPIRED_AUTHENTICATION); refresh gives a new one and the same refresh token', async () => {
      const tokens = (await install()).body;
      clock += 29 * 60_000;
      expect((await apiCall(url, tokens.access_token, 'GET', '/crm/v3/objects/contacts')).status).toBe(200);
      sandbox.advanceClock(3 * 60_000 + 5_000);
      const expired = await apiCall(url, tokens.access_token, 'GET', '/crm/v3/objects/contacts');
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ status: 'error', category: 'EXPIRED_AUTHENTICATION', message: 'The OAuth token used to make this call expired 2 minute(s) ago.' });

      const refreshed = await refresh(tokens.refresh_token);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).toMatchObject({ refresh_token: tokens.refresh_token, expires_in: 1800, hub_id: 301, token_use: 'access_token' });
      expect(refreshed.body.access_token).not.toBe(tokens.access_token);
      expect((await apiCall(url, refreshed.body.access_token, 'GET', '/crm/v3/objects/contacts')).status).toBe(200);
      expect((await refresh(tokens.refresh_token, '/oauth/v3/token')).status).toBe(200);
    });

    it('rotates refresh tokens when asked (POST /__sandbox/oauth/options)', async () => {
      const tokens = (await install()).body;
      await fetch(`${url}/__sandbox/oauth/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rotateRefreshTokens: true }) });
      const rotated = await refresh(tokens.refresh_token);
      expect(rotated.status).toBe(200);
      expect(rotated.body.refresh_token).not.toBe(tokens.refresh_token);
      expect((await refresh(tokens.refresh_token)).body).toMatchObject({ error: 'invalid_grant', status: 'BAD_REFRESH_TOKEN' });
      expect((await refresh(rotated.body.refresh_token)).status).toBe(200);
    });

    it('takes parameters only from a form-encoded body: query strings and JSON bodies are missing parameters', async () => {
      const tokens = (await install()).body;
      const params = new URLSearchParams({ grant_type: 'refresh_token', client_id: APP.clientId, client_secret: APP.clientSecret, refresh_token: tokens.refresh_token });
      const inQuery = await fetch(`${url}${TOKEN_PATH}?${params.toString()}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(inQuery.status).toBe(400);
      expect(await inQuery.json()).toMatchObject({ error: 'invalid_request' });
      const asJson = await fetch(`${url}${TOKEN_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.fromEntries(params)) });
      expect(asJson.status).toBe(400);
      expect(await asJson.json()).toMatchObject({ error: 'invalid_request' });
    });

    it('answers the standardized errors: invalid_request, invalid_client, unsupported_grant_type, invalid_grant', async () => {
      const tokens = (await install()).body;
      const missing = await formPost(url, TOKEN_PATH, { grant_type: 'refresh_token', client_id: APP.clientId, client_secret: APP.clientSecret });
      expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_request', status: expect.any(String) } });
      expect(missing.body.error_description).toContain('refresh_token');
      const badId = await formPost(url, TOKEN_PATH, { grant_type: 'refresh_token', client_id: 'nope', client_secret: APP.clientSecret, refresh_token: tokens.refresh_token });
      expect(badId).toMatchObject({ status: 400, body: { error: 'invalid_client', status: 'BAD_CLIENT_ID' } });
      const badSecret = await formPost(url, TOKEN_PATH, { grant_type: 'refresh_token', client_id: APP.clientId, client_secret: 'wrong', refresh_token: tokens.refresh_token });
      expect(badSecret).toMatchObject({ status: 400, body: { error: 'invalid_client', status: 'BAD_CLIENT_SECRET' } });
      expect((await formPost(url, TOKEN_PATH, { grant_type: 'password', client_id: APP.clientId })).body).toMatchObject({ error: 'unsupported_grant_type' });
      expect((await formPost(url, TOKEN_PATH, { grant_type: 'client_credentials', client_id: APP.clientId })).body).toMatchObject({ error: 'unsupported_grant_type' });
      expect((await refresh('na1-unknown')).body).toEqual({
        error: 'invalid_grant',
        error_description: 'refresh token is invalid, expired or revoked',
        status: 'BAD_REFRESH_TOKEN',
        message: 'refresh token is invalid, expired or revoked',
        correlationId: expect.any(String),
      });
    });

    it('does not serve the v1 endpoints (404 naming the 2027-02-16 shutdown)', async () => {
      const tokens = (await install()).body;
      const v1Token = await formPost(url, '/oauth/v1/token', { grant_type: 'refresh_token', client_id: APP.clientId, client_secret: APP.clientSecret, refresh_token: tokens.refresh_token });
      expect(v1Token.status).toBe(404);
      expect(v1Token.body.message).toContain('2027-02-16');
      for (const path of [`/oauth/v1/access-tokens/${tokens.access_token}`, `/oauth/v1/refresh-tokens/${tokens.refresh_token}`]) {
        const r = await fetch(`${url}${path}`);
        expect(r.status).toBe(404);
        expect(((await r.json()) as { message: string }).message).toContain('2027-02-16');
      }
      expect((await fetch(`${url}/oauth/v1/refresh-tokens/${tokens.refresh_token}`, { method: 'DELETE' })).status).toBe(404);
      expect(sandbox.requests().filter((r) => r.path.startsWith('/oauth/v1')).map((r) => r.outcome)).toEqual(['oauth', 'oauth', 'oauth', 'oauth']);
    });
  });

  describe('introspect', () => {
    it('describes an access token and a refresh token, and says active:false for expired, revoked or unknown ones', async () => {
      const tokens = (await install()).body;
      clock += 60_000;
      const access = await introspect(tokens.access_token);
      expect(access.status).toBe(200);
      expect(access.body).toEqual({
        active: true,
        app_id: 7001,
        client_id: APP.clientId,
        expires_in: 1740,
        hub_domain: 'portal301.hubspot.com',
        hub_id: 301,
        is_private_distribution: false,
        scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'oauth'],
        signed_access_token: expect.objectContaining({ appId: 7001, hubId: 301, expiresAt: T0 + 30 * 60_000, isPrivateDistribution: false }),
        token: tokens.access_token,
        token_type: 'access',
        token_use: 'access_token',
        user: expect.any(String),
        user_id: tokens.user_id,
      });
      const refreshInfo = await introspect(tokens.refresh_token);
      expect(refreshInfo.body).toEqual({
        active: true,
        app_id: 7001,
        client_id: APP.clientId,
        hub_domain: 'portal301.hubspot.com',
        hub_id: 301,
        scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'oauth'],
        token: tokens.refresh_token,
        token_type: 'refresh',
        token_use: 'refresh_token',
        user: expect.any(String),
        user_id: tokens.user_id,
      });
      expect((await formPost(url, '/oauth/v3/token/introspect', { client_id: APP.clientId, client_secret: APP.clientSecret, token: tokens.refresh_token, token_type_hint: 'refresh_token' })).body.active).toBe(true);
      expect((await introspect('unknown-token')).body).toEqual({ active: false });
      clock += 30 * 60_000;
      expect((await introspect(tokens.access_token)).body).toEqual({ active: false });
      expect((await introspect(tokens.access_token, { ...APP, clientSecret: 'wrong' })).body).toMatchObject({ error: 'invalid_client' });
      expect((await formPost(url, `${TOKEN_PATH}/introspect`, { client_id: APP.clientId, client_secret: APP.clientSecret })).body).toMatchObject({ error: 'invalid_request' });
    });
  });

  describe('revoke', () => {
    it('revokes a refresh token (200, empty): refreshing fails, the access token works until it expires', async () => {
      const tokens = (await install()).body;
      const revoke = await fetch(`${url}${TOKEN_PATH}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: APP.clientId, client_secret: APP.clientSecret, token: tokens.refresh_token, token_type_hint: 'refresh_token' }).toString(),
      });
      expect(revoke.status).toBe(200);
      expect(await revoke.text()).toBe('');
      expect((await refresh(tokens.refresh_token)).body).toMatchObject({ error: 'invalid_grant', status: 'BAD_REFRESH_TOKEN' });
      expect((await introspect(tokens.refresh_token)).body).toEqual({ active: false });
      expect((await apiCall(url, tokens.access_token, 'GET', '/crm/v3/objects/contacts')).status).toBe(200);
      expect(sandbox.installs()[0]?.active).toBe(true);
      clock += 30 * 60_000;
      expect((await apiCall(url, tokens.access_token, 'GET', '/crm/v3/objects/contacts')).status).toBe(401);
      expect((await formPost(url, `${TOKEN_PATH}/revoke`, { client_id: APP.clientId, client_secret: APP.clientSecret, token: 'unknown' })).status).toBe(200);
      expect((await formPost(url, `${TOKEN_PATH}/revoke`, { client_id: APP.clientId, client_secret: 'nope', token: 'unknown' })).body).toMatchObject({ error: 'invalid_client' });
    });
  });

  describe('uninstall', () => {
    it('DELETE /appinstalls/2026-03/external-install (needs oauth): 204, then 401 on API calls and invalid_grant on refresh', async () => {
      const tokens = (await install()).body;
      const other = (await install(302)).body;
      expect((await apiCall(url, 'pat-301', 'DELETE', '/appinstalls/2026-03/external-install')).status).toBe(403);
      const done = await apiCall(url, tokens.access_token, 'DELETE', '/appinstalls/2026-03/external-install');
      expect(done.status).toBe(204);
      const after = await apiCall(url, tokens.access_token, 'GET', '/crm/v3/objects/contacts');
      expect(after.status).toBe(401);
      expect(after.body).toMatchObject({ category: 'INVALID_AUTHENTICATION' });
      expect((await refresh(tokens.refresh_token)).body).toMatchObject({ error: 'invalid_grant', status: 'BAD_REFRESH_TOKEN' });
      expect((await introspect(tokens.access_token)).body).toEqual({ active: false });
      expect((await apiCall(url, other.access_token, 'GET', '/crm/v3/objects/contacts')).status).toBe(200);
      expect(sandbox.installs().map((i) => [i.portalId, i.active])).toEqual([
        [301, false],
        [302, true],
      ]);
    });

    it('sandbox.uninstall and POST /__sandbox/oauth/uninstall: the user uninstalled the app in HubSpot', async () => {
      const tokens = (await install()).body;
      expect(sandbox.uninstall(301)).toEqual({ portalId: 301, appId: 7001 });
      expect((await apiCall(url, tokens.access_token, 'GET', '/crm/v3/objects/contacts')).status).toBe(401);
      expect((await refresh(tokens.refresh_token)).status).toBe(400);
      expect((await apiCall(url, 'pat-301', 'GET', '/crm/v3/objects/contacts')).status).toBe(200);

      const again = (await install()).body;
      expect((await apiCall(url, again.access_token, 'GET', '/crm/v3/objects/contacts')).status).toBe(200);
      const admin = await fetch(`${url}/__sandbox/oauth/uninstall`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ portalId: 301, appId: 7001 }) });
      expect(admin.status).toBe(200);
      expect((await apiCall(url, again.access_token, 'GET', '/crm/v3/objects/contacts')).status).toBe(401);
      const issued = (await (await fetch(`${url}/__sandbox/oauth/tokens?portalId=301&kind=refresh_token`)).json()) as { results: Array<{ status: string }> };
      expect(issued.results.map((t) => t.status)).toEqual(['revoked', 'revoked']);
      const installs = (await (await fetch(`${url}/__sandbox/oauth/installs`)).json()) as { results: Array<{ portalId: number; active: boolean }> };
      expect(installs.results).toEqual([expect.objectContaining({ portalId: 301, appId: 7001, active: false, uninstalledAt: expect.any(Number) })]);
      expect(await (await fetch(`${url}/__sandbox/oauth/options`)).json()).toEqual({ rotateRefreshTokens: false });
    });
  });
});
