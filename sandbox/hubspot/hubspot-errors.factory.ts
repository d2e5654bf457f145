import { randomUUID } from 'crypto';

/**
 * Error bodies shaped like HubSpot's: `status`, `message`, `correlationId`, then `errors`, `context` and
 * `category` when present (that is the key order HubSpot sends).
 */
export interface HubSpotErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  errors?: Array<{ message: string; code?: string; context?: Record<string, string[]> }>;
  context?: Record<string, string[]>;
  category?: string;
  [extra: string]: unknown;
}

export interface PropertyValueError {
  isValid: false;
  message: string;
  error: string;
  name: string;
  localizedErrorMessage?: string;
  portalId?: number;
}

export function errorBody(
  message: string,
  category?: string,
  extra: { errors?: HubSpotErrorBody['errors']; context?: Record<string, string[]> } = {},
): HubSpotErrorBody {
  const body: HubSpotErrorBody = { status: 'error', message, correlationId: randomUUID() };
  if (extra.errors) body.errors = extra.errors;
  if (extra.context) body.context = extra.context;
  if (category) body.category = category;
  return body;
}

export const AUTH_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export function authenticationError(): HubSpotErrorBody {
  return errorBody(AUTH_MESSAGE, 'INVALID_AUTHENTICATION');
}

/** 404 for an object id that does not exist (the message has two spaces, as HubSpot sends it). */
export function objectNotFound(id: string): HubSpotErrorBody {
  return errorBody('Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND', { context: { id: [id] } });
}

export function resourceNotFound(): HubSpotErrorBody {
  return errorBody('resource not found');
}

export function invalidJson(reason: string): HubSpotErrorBody {
  return errorBody(`Invalid input JSON on line 1, column 1: ${reason}`);
}

export function validationError(message: string, context?: Record<string, string[]>): HubSpotErrorBody {
  return errorBody(message, 'VALIDATION_ERROR', context ? { context } : {});
}

/** 400 `Property values were not valid: [...]` listing every invalid property of the request. */
export function propertyValuesInvalid(errors: PropertyValueError[]): HubSpotErrorBody {
  return errorBody(`Property values were not valid: ${JSON.stringify(errors)}`, 'VALIDATION_ERROR', {
    errors: errors.map((e) => ({ message: e.message, code: e.error, context: { propertyName: [e.name] } })),
  });
}

export function requiredPropertiesMissing(upperType: string, names: string[]): HubSpotErrorBody {
  return errorBody(`Error creating ${upperType}. Some required properties were not set.`, 'VALIDATION_ERROR', {
    context: { properties: names },
  });
}

export function conflict(message: string, category = 'CONFLICT'): HubSpotErrorBody {
  return errorBody(message, category);
}

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY';

const POLICY_MESSAGES: Record<RateLimitPolicy, string> = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  DAILY: 'You have reached your daily limit.',
  SECONDLY: 'You have reached your secondly limit.',
};

/** The 429 body of HubSpot's API limits. */
export function rateLimitBody(policy: RateLimitPolicy, groupName: string): Record<string, string> {
  return {
    status: 'error',
    message: POLICY_MESSAGES[policy],
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName: policy,
    groupName,
  };
}

export function internalError(status: number): HubSpotErrorBody {
  const messages: Record<number, string> = { 500: 'internal error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'gateway timeout' };
  return errorBody(messages[status] ?? 'internal error');
}
