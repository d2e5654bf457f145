import type { CrmObjectType, PropertyBootstrapResult } from '@app/common';
import type { CallAnswer } from './budgeted-calls';
import { schemaScope } from './property-bootstrap.error';

type Failed = Extract<CallAnswer, { ok: false }>;

/**
 * One bootstrap's results so far and what its failures rule out: after a 401 no call
 * goes out at all (the token is refused), after a 403 none for that object type (its
 * schema scope is missing); any other failure concerns only its own property.
 */
export class BootstrapRun {
  readonly results: PropertyBootstrapResult[] = [];
  /** HubSpot's reason for refusing the token, once it did. */
  tokenRefused: string | undefined;
  /** The scope each refused object type lacks. */
  readonly missingScopes = new Map<CrmObjectType, string>();

  add(result: PropertyBootstrapResult): void {
    this.results.push(result);
  }

  /** Why no call goes out for this object type any more; undefined: go on. */
  blocked(objectType: CrmObjectType): string | undefined {
    if (this.tokenRefused !== undefined) return `not tried: HubSpot refused the access token (${this.tokenRefused})`;
    const scope = this.missingScopes.get(objectType);
    return scope === undefined ? undefined : `not tried: the token lacks the ${scope} scope`;
  }

  /** The failure said for a result; a 401 or a 403 is also remembered, for `blocked` and the call's answer. */
  failure(objectType: CrmObjectType, answer: Failed, access: 'read' | 'write'): string {
    const { failure } = answer;
    switch (failure.kind) {
      case 'unauthorized':
        if (failure.status === 401) {
          this.tokenRefused ??= failure.reason;
          return `HubSpot refused the access token (${failure.reason})`;
        } else {
          const scope = schemaScope(objectType, access);
          if (!this.missingScopes.has(objectType)) this.missingScopes.set(objectType, scope);
          return `the token lacks the ${scope} scope (${failure.reason})`;
        }
      case 'retry':
        return `HubSpot could not answer now (${failure.reason}); run the bootstrap again later`;
      case 'not-found':
      case 'rejected':
        return failure.reason;
    }
  }
}
