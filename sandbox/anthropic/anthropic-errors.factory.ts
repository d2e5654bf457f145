import { apiId } from './reply-composer';

const TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const MESSAGES: Record<string, string> = {
  invalid_request_error: 'Invalid request',
  authentication_error: 'invalid x-api-key',
  billing_error: 'Your credit balance is too low to access the Anthropic API.',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'This request would exceed the rate limit for your organization. Please reduce the prompt length or the maximum tokens requested, or try again later.',
  api_error: 'Internal server error',
  timeout_error: 'Request timed out',
  overloaded_error: 'Overloaded',
};

/** The error type the API uses for a status (`invalid_request_error` for other 4xx, `api_error` for other 5xx). */
export function errorTypeFor(status: number): string {
  return TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** `{"type":"error","error":{"type":…,"message":…},"request_id":"req_…"}` */
export function anthropicError(status: number, message?: string, requestId: string = apiId('req_011C')): Record<string, unknown> {
  const type = errorTypeFor(status);
  return { type: 'error', error: { type, message: message ?? MESSAGES[type] ?? 'Error' }, request_id: requestId };
}
