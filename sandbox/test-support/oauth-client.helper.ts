/** A minimal OAuth client of the sandbox for tests: the install redirect, and form-encoded token calls. */

export interface JsonAnswer {
  status: number;
  body: any;
  headers: Headers;
}

async function answer(response: Response): Promise<JsonAnswer> {
  const text = await response.text();
  let body: unknown = text === '' ? undefined : text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON (an HTML page)
  }
  return { status: response.status, body, headers: response.headers };
}

/** GETs the authorize URL without following the redirect: the 302's Location parsed, or the refusal. */
export async function authorizeRequest(url: string, params: Record<string, string>, pathPortal?: number): Promise<{ status: number; location?: URL; body?: any }> {
  const path = pathPortal === undefined ? '/oauth/authorize' : `/oauth/${pathPortal}/authorize`;
  const response = await fetch(`${url}${path}?${new URLSearchParams(params).toString()}`, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (location) {
    await response.text();
    return { status: response.status, location: new URL(location) };
  }
  return { status: response.status, body: (await answer(response)).body };
}

/** POSTs form-encoded parameters (the only way the token endpoints take them). */
export async function formPost(url: string, path: string, params: Record<string, string>): Promise<JsonAnswer> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return answer(response);
}

/** An API call with a bearer token. */
export async function apiCall(url: string, token: string, method: string, path: string, body?: unknown): Promise<JsonAnswer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return answer(response);
}

export interface InstallOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scope: string;
  portalId: number;
  optionalScope?: string;
}

/** Installs through authorize (portal in the path) and exchanges the code: the token response. */
export async function installAndExchange(url: string, o: InstallOptions): Promise<JsonAnswer> {
  const auth = await authorizeRequest(
    url,
    { client_id: o.clientId, redirect_uri: o.redirectUri, scope: o.scope, state: 's', ...(o.optionalScope ? { optional_scope: o.optionalScope } : {}) },
    o.portalId,
  );
  const code = auth.location?.searchParams.get('code');
  if (!code) throw new Error(`authorize did not redirect with a code: ${JSON.stringify(auth)}`);
  return formPost(url, '/oauth/2026-03/token', {
    grant_type: 'authorization_code',
    client_id: o.clientId,
    client_secret: o.clientSecret,
    redirect_uri: o.redirectUri,
    code,
  });
}
