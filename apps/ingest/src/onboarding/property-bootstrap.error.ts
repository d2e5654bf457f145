import { CAPABILITY_NAMES, CAPABILITY_REQUIREMENTS, type CrmObjectType, type PlatformEvent, type PropertyBootstrapResult } from '@app/common';

export enum PropertyBootstrapErrorCode {
  /** HubSpot refused the access token (401): the portal must be reconnected. */
  TokenRefused = 'token-refused',
  /** The token lacks the schema scope of an object type (403): `missingScopes` names them. */
  MissingScopes = 'missing-scopes',
  /** HubSpot, or the portal's budget, could not answer the listings now: nothing was changed. */
  HubSpotUnavailable = 'hubspot-unavailable',
}

/**
 * A bootstrap that could not do its whole job. When it got as far as writing, `results`
 * and the recorded `event` say what it did do (a rerun is idempotent).
 */
export class PropertyBootstrapError extends Error {
  constructor(
    readonly code: PropertyBootstrapErrorCode,
    message: string,
    readonly missingScopes: string[] = [],
    readonly done?: { results: PropertyBootstrapResult[]; event: PlatformEvent<'PropertiesBootstrapped'> },
  ) {
    super(message);
    this.name = 'PropertyBootstrapError';
  }
}

/**
 * The scope reading (listing) or writing (creating) an object type's properties needs,
 * said as the capabilities declare it (tickets: "crm.schemas.tickets.write or tickets").
 */
export function schemaScope(objectType: CrmObjectType, access: 'read' | 'write'): string {
  const scope = `crm.schemas.${objectType}.${access}`;
  for (const name of CAPABILITY_NAMES) {
    for (const requirement of CAPABILITY_REQUIREMENTS[name].scopes) {
      if (typeof requirement !== 'string' && requirement.includes(scope)) return [scope, ...requirement.filter((s) => s !== scope)].join(' or ');
    }
  }
  return scope;
}
