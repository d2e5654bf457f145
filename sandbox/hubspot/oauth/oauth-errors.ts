import { randomUUID } from 'crypto';

/**
 * HubSpot's standardized OAuth errors (changelog "New OAuth v3 API endpoints and standardized error responses",
 * for v1 and v3 alike): RFC 6749's `error` and `error_description`, plus the legacy `status` and `message` kept for
 * backward compatibility, and a `correlationId` as HubSpot's other errors carry.
 *
 * The `error` codes are RFC 6749's (section 5.2) and RFC 7009's. The legacy `status` values BAD_REFRESH_TOKEN,
 * BAD_AUTH_CODE, BAD_CLIENT_ID and BAD_REDIRECT_URI are the ones HubSpot's v1 token endpoint is known to answer;
 * BAD_CLIENT_SECRET, BAD_GRANT_TYPE, MISMATCH_REDIRECT_URI_AUTH_CODE, MISSING_PARAMETER and BAD_TOKEN_TYPE are
 * the sandbox's choice in the same style (unverified), and so are the descriptions.
 */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'unsupported_token_type';

export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
  status: string;
  message: string;
  correlationId: string;
}

export interface OAuthResult {
  status: number;
  body?: unknown;
}

export function oauthError(error: OAuthErrorCode, status: string, description: string): OAuthResult {
  const body: OAuthErrorBody = { error, error_description: description, status, message: description, correlationId: randomUUID() };
  return { status: 400, body };
}

export const missingParameters = (names: string[]): OAuthResult =>
  oauthError('invalid_request', 'MISSING_PARAMETER', `missing required parameter(s) in the form-encoded request body: ${names.join(', ')}`);

export const badClientId = (): OAuthResult => oauthError('invalid_client', 'BAD_CLIENT_ID', 'missing or unknown client id');

export const badClientSecret = (): OAuthResult => oauthError('invalid_client', 'BAD_CLIENT_SECRET', 'client secret is invalid for this client id');

export const badRefreshToken = (): OAuthResult => oauthError('invalid_grant', 'BAD_REFRESH_TOKEN', 'refresh token is invalid, expired or revoked');

export const badAuthCode = (): OAuthResult => oauthError('invalid_grant', 'BAD_AUTH_CODE', 'auth code is invalid, expired or already used');

export const mismatchedRedirectUri = (): OAuthResult =>
  oauthError('invalid_grant', 'MISMATCH_REDIRECT_URI_AUTH_CODE', 'redirect_uri does not match the one of the authorization request');

export const unsupportedGrantType = (grantType: string): OAuthResult =>
  oauthError('unsupported_grant_type', 'BAD_GRANT_TYPE', `unsupported grant_type ${JSON.stringify(grantType)}: use authorization_code or refresh_token`);

export const unsupportedTokenType = (): OAuthResult =>
  oauthError('unsupported_token_type', 'BAD_TOKEN_TYPE', 'only refresh tokens can be revoked; access tokens expire on their own');

export const V1_SHUTDOWN_DATE = '2027-02-16';

/** 404 for the OAuth v1 endpoints, which the sandbox does not serve (HubSpot shuts them off on 2027-02-16). */
export function v1Refused(path: string): OAuthResult {
  return {
    status: 404,
    body: {
      status: 'error',
      message:
        `${path}: the OAuth v1 endpoints are deprecated and shut off on ${V1_SHUTDOWN_DATE}; the sandbox does not serve them. ` +
        'Use POST /oauth/2026-03/token, /oauth/2026-03/token/introspect and /oauth/2026-03/token/revoke (form-encoded bodies).',
      correlationId: randomUUID(),
      category: 'OBJECT_NOT_FOUND',
    },
  };
}
