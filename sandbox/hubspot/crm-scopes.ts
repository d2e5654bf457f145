import type { CrmObjectType } from './hubspot.types';
import { resolveObjectType } from './object-types.registry';

/**
 * The scopes each CRM endpoint needs, from HubSpot's 2026-03 specs (`PublicApiSpecs/CRM/<Object>/Rollouts/424/2026-03`,
 * `CRM/Properties/Rollouts/145899/2026-03`, `CRM/Associations*`/Rollouts/130902/2026-03`):
 *
 * - objects (single, batch, search): contacts, companies, deals `crm.objects.<type>.read` / `.write`; tickets the
 *   `tickets` scope for both (HubSpot has no `crm.objects.tickets.read`); notes and tasks the contacts scopes
 *   (`crm.objects.contacts.read` / `.write`), emails those or `sales-email-read` (as their specs say). Search and
 *   batch read need the read scope.
 * - properties and property groups: reads accept `crm.schemas.<type>.read` or the type's object scopes (the spec
 *   lists object scopes among the read alternatives); writes need `crm.schemas.<type>.write` (tickets: or
 *   `tickets`; notes, tasks and emails, which have no schema scope of their own in the spec: `crm.schemas.contacts.write`,
 *   the sandbox's choice).
 * - associations (v4 and 2026-03): the object read scopes of both types to read (also labels), their write scopes to
 *   write (the spec lists the union of every object scope; per type is the sandbox's reading).
 * - pipelines (`GET /crm/pipelines/2026-03/{type}[/{id}]`, `CRM/Pipelines/Rollouts/145896/2026-03`): the spec accepts
 *   any one of a long list of object and schema scopes whatever the type (`crm.objects.deals.read` among them);
 *   per type is the sandbox's reading again: a deal pipeline needs the deals read or write scope, or
 *   `crm.schemas.deals.read`.
 *
 * A requirement is a list of alternatives; a call needs every requirement of its list.
 */
export type ScopeRequirement = readonly string[];

const OBJECT_SCOPES: Record<CrmObjectType, { read: string[]; write: string[] }> = {
  contacts: { read: ['crm.objects.contacts.read'], write: ['crm.objects.contacts.write'] },
  companies: { read: ['crm.objects.companies.read'], write: ['crm.objects.companies.write'] },
  deals: { read: ['crm.objects.deals.read'], write: ['crm.objects.deals.write'] },
  tickets: { read: ['tickets'], write: ['tickets'] },
  notes: { read: ['crm.objects.contacts.read'], write: ['crm.objects.contacts.write'] },
  tasks: { read: ['crm.objects.contacts.read'], write: ['crm.objects.contacts.write'] },
  emails: { read: ['crm.objects.contacts.read', 'sales-email-read'], write: ['crm.objects.contacts.write', 'sales-email-read'] },
};

const SCHEMA_WRITE: Record<CrmObjectType, string[]> = {
  contacts: ['crm.schemas.contacts.write'],
  companies: ['crm.schemas.companies.write'],
  deals: ['crm.schemas.deals.write'],
  tickets: ['crm.schemas.tickets.write', 'tickets'],
  notes: ['crm.schemas.contacts.write'],
  tasks: ['crm.schemas.contacts.write'],
  emails: ['crm.schemas.contacts.write'],
};

/** Every scope the sandbox checks (what a private-app token "without scopes" is shown to have), plus the owners'. */
export const KNOWN_SCOPES: readonly string[] = [
  ...new Set([
    ...Object.values(OBJECT_SCOPES).flatMap((s) => [...s.read, ...s.write]),
    ...(Object.keys(OBJECT_SCOPES) as CrmObjectType[]).map((t) => `crm.schemas.${t}.read`),
    ...Object.values(SCHEMA_WRITE).flat(),
    'crm.objects.owners.read',
  ]),
].sort();

export const objectRead = (type: CrmObjectType): ScopeRequirement => OBJECT_SCOPES[type].read;
export const objectWrite = (type: CrmObjectType): ScopeRequirement => OBJECT_SCOPES[type].write;
const schemaRead = (type: CrmObjectType): ScopeRequirement => [...new Set([`crm.schemas.${type}.read`, ...OBJECT_SCOPES[type].read, ...OBJECT_SCOPES[type].write])];
const schemaWrite = (type: CrmObjectType): ScopeRequirement => SCHEMA_WRITE[type];
export const pipelinesRead = (type: CrmObjectType): ScopeRequirement => [...new Set([...OBJECT_SCOPES[type].read, ...OBJECT_SCOPES[type].write, `crm.schemas.${type}.read`])];

/**
 * The requirements of a call, given its canonical (v3/v4) segments; undefined for paths this module does not know
 * (owners check their own; unknown object types and paths are answered 400/404 by the router).
 */
export function requiredScopes(method: string, segments: string[]): ScopeRequirement[] | undefined {
  const [root, version, area, ...rest] = segments;
  if (root !== 'crm') return undefined;
  const type = (raw: string | undefined): CrmObjectType | undefined => (raw === undefined ? undefined : resolveObjectType(raw));
  if (version === 'v3' && area === 'objects') {
    const t = type(rest[0]);
    if (!t) return undefined;
    const reads = method === 'GET' || (method === 'POST' && (rest[1] === 'search' || (rest[1] === 'batch' && rest[2] === 'read')));
    return [reads ? objectRead(t) : objectWrite(t)];
  }
  if (version === 'v3' && area === 'properties') {
    const t = type(rest[0]);
    if (!t) return undefined;
    const reads = method === 'GET' || (method === 'POST' && rest[1] === 'batch' && rest[2] === 'read');
    return [reads ? schemaRead(t) : schemaWrite(t)];
  }
  if (version === 'v4' && area === 'objects' && rest[2] === 'associations') {
    const from = type(rest[0]);
    const to = type(rest[3] === 'default' ? rest[4] : rest[3]);
    if (!from || !to) return undefined;
    return method === 'GET' ? [objectRead(from), objectRead(to)] : [objectWrite(from), objectWrite(to)];
  }
  if (version === 'pipelines') {
    const t = type(rest[0]);
    return t && method === 'GET' ? [pipelinesRead(t)] : undefined;
  }
  if (version === 'v4' && area === 'associations') {
    const from = type(rest[0]);
    const to = type(rest[1]);
    if (!from || !to) return undefined;
    const reads = method === 'GET' || (rest[2] === 'batch' && rest[3] === 'read');
    return reads ? [objectRead(from), objectRead(to)] : [objectWrite(from), objectWrite(to)];
  }
  return undefined;
}

/** Whether `granted` (undefined: every scope) includes one scope of each requirement; else the first one unmet. */
export function unmetRequirement(granted: readonly string[] | undefined, requirements: ScopeRequirement[]): ScopeRequirement | undefined {
  if (granted === undefined) return undefined;
  return requirements.find((alternatives) => !alternatives.some((s) => granted.includes(s)));
}
