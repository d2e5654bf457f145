import { Inject, Injectable } from '@nestjs/common';
import {
  causedBy,
  CLOCK,
  EventStore,
  HubSpotApi,
  HubSpotBudget,
  startStory,
  StreamIds,
  type CapabilityName,
  type Clock,
  type CrmObjectType,
  type EventEnvelope,
  type PlatformEvent,
  type PortalHubSpotPlan,
  type PropertyBootstrapResult,
} from '@app/common';
import { BudgetedCalls, type CallAnswer } from './budgeted-calls';
import { BootstrapRun } from './bootstrap-run';
import { PropertyBootstrapError, PropertyBootstrapErrorCode } from './property-bootstrap.error';
import {
  createGroupBody,
  createPropertyBody,
  judgeProperty,
  planObjectType,
  wantedByObjectType,
  type ObjectTypeWants,
  type PropertyListing,
  type PropertyVerdict,
  type WantedProperty,
} from './property-bootstrap.plan';
import { readGroupNames, readPropertyList } from './property-listing';

export interface BootstrapAccess {
  accessToken: string;
  plan?: PortalHubSpotPlan;
}

export type BootstrapTrigger = PlatformEvent<'PropertiesBootstrapped'>['data']['trigger'];

export interface PropertyBootstrapOutcome {
  results: PropertyBootstrapResult[];
  event: PlatformEvent<'PropertiesBootstrapped'>;
}

/** How long each call waits in place for the portal's HubSpot budget before it counts as not answered. */
const MAX_BUDGET_WAIT_MS = 5_000;

type Read = { kind: 'listed'; listing: PropertyListing } | { kind: 'unlisted'; detail: string };

/**
 * Creates, in a client's HubSpot portal, the property groups and `ai_*` properties the
 * capabilities write (CAPABILITY_REQUIREMENTS), so their writebacks are never refused
 * for a missing property. Idempotent: it lists first (two calls per object type, never
 * one per property), then creates only what is missing and adds only missing options.
 * Nothing of the portal's is overwritten or removed: a same-named property of another
 * type is reported `conflicting` for a person to resolve.
 *
 * Every object type is listed before anything is written, so a refused token or an
 * outage at that point changes nothing. Afterwards a failure concerns its own property
 * (the others still run), except a 401 (nothing more is sent) and a 403 (nothing more
 * for that object type); both make the whole call fail once the event is recorded.
 */
@Injectable()
export class PropertyBootstrapService {
  constructor(
    private readonly hubspot: HubSpotApi,
    private readonly budget: HubSpotBudget,
    private readonly eventStore: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async bootstrap(portalId: number, access: BootstrapAccess, capabilities: CapabilityName[], trigger: BootstrapTrigger, cause?: EventEnvelope): Promise<PropertyBootstrapOutcome> {
    const calls = new BudgetedCalls(this.hubspot, this.budget, { portalId, ...(access.plan ? { plan: access.plan } : {}) }, access.accessToken, MAX_BUDGET_WAIT_MS);
    const run = new BootstrapRun();
    const wants = wantedByObjectType(capabilities);
    const reads: Read[] = [];
    for (const want of wants) reads.push(await this.read(calls, portalId, want.objectType, run));
    for (const [i, want] of wants.entries()) await this.apply(calls, want, reads[i]!, run);

    const event = await this.record(portalId, capabilities, run.results, trigger, cause);
    const done = { results: run.results, event };
    if (run.tokenRefused !== undefined) {
      throw new PropertyBootstrapError(PropertyBootstrapErrorCode.TokenRefused, tokenRefusedMessage(portalId, run.tokenRefused), [], done);
    }
    if (run.missingScopes.size > 0) {
      const scopes = [...new Set(run.missingScopes.values())];
      throw new PropertyBootstrapError(
        PropertyBootstrapErrorCode.MissingScopes,
        `portal ${portalId}'s HubSpot token lacks ${scopes.join(', ')}: grant ${scopes.length > 1 ? 'them' : 'it'} (reinstall the app, or edit the private app's scopes), then run the bootstrap again; what the token may do was done`,
        scopes,
        done,
      );
    }
    return done;
  }

  /** The object type's properties and groups; throws when the whole call cannot go on (token refused, HubSpot unavailable). */
  private async read(calls: BudgetedCalls, portalId: number, objectType: CrmObjectType, run: BootstrapRun): Promise<Read> {
    const properties = await calls.call('properties.list', { objectType });
    const listed = properties.ok ? readPropertyList(properties.body) : undefined;
    const groups = listed ? await calls.call('propertyGroups.list', { objectType }) : undefined;
    const groupNames = groups?.ok ? readGroupNames(groups.body) : undefined;
    if (listed && groupNames) return { kind: 'listed', listing: { properties: listed, groupNames } };

    const failed = [properties, groups].find((a): a is Extract<CallAnswer, { ok: false }> => a !== undefined && !a.ok);
    if (!failed) throw unavailable(portalId, `HubSpot listed the ${objectType} properties or groups in an unexpected shape`);
    const detail = run.failure(objectType, failed, 'read');
    if (run.tokenRefused !== undefined) throw new PropertyBootstrapError(PropertyBootstrapErrorCode.TokenRefused, tokenRefusedMessage(portalId, run.tokenRefused));
    if (failed.failure.kind === 'retry') throw unavailable(portalId, detail);
    return { kind: 'unlisted', detail: `not checked: listing the ${objectType} properties failed: ${detail}` };
  }

  private async apply(calls: BudgetedCalls, wants: ObjectTypeWants, read: Read, run: BootstrapRun): Promise<void> {
    const { objectType } = wants;
    if (read.kind === 'unlisted') {
      for (const group of wants.groups) run.add({ objectType, name: group.name, kind: 'group', outcome: 'failed', detail: read.detail });
      for (const property of wants.properties) run.add(propertyResult(property, 'failed', read.detail));
      return;
    }
    const plan = planObjectType(wants, read.listing);
    const groupFailures = new Map<string, string>();
    for (const group of plan.groups) {
      if (group.listed) run.add({ objectType, name: group.name, kind: 'group', outcome: 'present' });
      else if (group.needed) {
        const result = await this.createGroup(calls, objectType, group, run);
        if (result.outcome === 'failed') groupFailures.set(group.name, result.detail ?? 'unknown');
        run.add(result);
      }
    }
    for (const { property, verdict } of plan.properties) {
      const groupFailure = verdict.kind === 'create' ? groupFailures.get(property.groupName) : undefined;
      run.add(groupFailure !== undefined ? propertyResult(property, 'failed', `not created: its group ${property.groupName} could not be created (${groupFailure})`) : await this.settle(calls, property, verdict, run));
    }
  }

  private async createGroup(calls: BudgetedCalls, objectType: CrmObjectType, group: { name: string; label: string }, run: BootstrapRun): Promise<PropertyBootstrapResult> {
    const result = (outcome: PropertyBootstrapResult['outcome'], detail?: string): PropertyBootstrapResult => ({ objectType, name: group.name, kind: 'group', outcome, ...(detail ? { detail } : {}) });
    const blocked = run.blocked(objectType);
    if (blocked) return result('failed', blocked);
    const answer = await calls.call('propertyGroups.create', { objectType }, { body: createGroupBody(group) });
    if (answer.ok) return result('created');
    // 409: created meanwhile (another bootstrap, a person): it is there, which is all that matters.
    if (answer.status === 409) return result('present');
    return result('failed', run.failure(objectType, answer, 'write'));
  }

  private async settle(calls: BudgetedCalls, property: WantedProperty, verdict: PropertyVerdict, run: BootstrapRun): Promise<PropertyBootstrapResult> {
    switch (verdict.kind) {
      case 'present':
        return propertyResult(property, 'present', verdict.detail);
      case 'conflicting':
        return propertyResult(property, 'conflicting', verdict.detail);
      case 'add-options':
        return this.addOptions(calls, property, verdict, run);
      case 'create':
        return this.create(calls, property, run);
    }
  }

  private async create(calls: BudgetedCalls, property: WantedProperty, run: BootstrapRun): Promise<PropertyBootstrapResult> {
    const blocked = run.blocked(property.objectType);
    if (blocked) return propertyResult(property, 'failed', blocked);
    const answer = await calls.call('properties.create', { objectType: property.objectType }, { body: createPropertyBody(property) });
    if (answer.ok) return propertyResult(property, 'created');
    if (answer.status === 409) return this.reread(calls, property, run);
    return propertyResult(property, 'failed', run.failure(property.objectType, answer, 'write'));
  }

  /** A 409: the name was taken since the listing (or by an archived property). What is there now decides, as if listed. */
  private async reread(calls: BudgetedCalls, property: WantedProperty, run: BootstrapRun): Promise<PropertyBootstrapResult> {
    const answer = await calls.call('properties.list', { objectType: property.objectType });
    if (!answer.ok) return propertyResult(property, 'failed', `HubSpot answered 409 (the name is taken) and listing it again failed: ${run.failure(property.objectType, answer, 'read')}`);
    const existing = readPropertyList(answer.body)?.find((p) => p.name === property.name);
    if (!existing) {
      return propertyResult(property, 'failed', 'HubSpot answered 409 (the name is taken) but does not list the property: it is probably archived; restore it or delete it for good in HubSpot (Settings > Properties > Archived), then run the bootstrap again');
    }
    return this.settle(calls, property, judgeProperty(property, existing), run);
  }

  /** HubSpot replaces an enumeration's options with the list sent: the existing ones go back unchanged, ours after them. */
  private async addOptions(calls: BudgetedCalls, property: WantedProperty, verdict: Extract<PropertyVerdict, { kind: 'add-options' }>, run: BootstrapRun): Promise<PropertyBootstrapResult> {
    const blocked = run.blocked(property.objectType);
    if (blocked) return propertyResult(property, 'failed', blocked);
    const answer = await calls.call('properties.update', { objectType: property.objectType, propertyName: property.name }, { body: { options: verdict.options } });
    if (answer.ok) return propertyResult(property, 'options-added', `added options: ${verdict.added.join(', ')}`);
    return propertyResult(property, 'failed', `adding options ${verdict.added.join(', ')} failed: ${run.failure(property.objectType, answer, 'write')}`);
  }

  private async record(portalId: number, capabilities: CapabilityName[], results: PropertyBootstrapResult[], trigger: BootstrapTrigger, cause: EventEnvelope | undefined): Promise<PlatformEvent<'PropertiesBootstrapped'>> {
    const input = { type: 'PropertiesBootstrapped' as const, portalId, data: { capabilities: [...capabilities], results, trigger } };
    const now = this.clock();
    const event = cause ? causedBy(cause, input, now) : startStory(input, now);
    await this.eventStore.append({ streamId: StreamIds.portal(portalId), events: [event] });
    return event;
  }
}

function propertyResult(property: WantedProperty, outcome: PropertyBootstrapResult['outcome'], detail?: string): PropertyBootstrapResult {
  return { objectType: property.objectType, name: property.name, kind: 'property', outcome, ...(detail ? { detail } : {}) };
}

function tokenRefusedMessage(portalId: number, reason: string): string {
  return `HubSpot refused portal ${portalId}'s access token (${reason}): reconnect the portal, then run the bootstrap again`;
}

function unavailable(portalId: number, reason: string): PropertyBootstrapError {
  return new PropertyBootstrapError(PropertyBootstrapErrorCode.HubSpotUnavailable, `could not read portal ${portalId}'s HubSpot properties (${reason}); nothing was changed: retry later`);
}
