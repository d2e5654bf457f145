import type { CrmObjectType, RateLimitSnapshot } from '@app/common';

/** Related records a prompt can ask for, by the role they play for the triggering record. */
export const RELATED_ROLES = ['company', 'contacts', 'notes', 'emails', 'previousTickets'] as const;
export type RelatedRole = (typeof RELATED_ROLES)[number];

/**
 * What a prompt may see: the properties of the triggering record and, per related
 * role, the properties of those records. Nothing else is fetched or sent
 * (data minimisation starts at the read).
 */
export interface ContextSpec {
  record: readonly string[];
  related?: Partial<Record<RelatedRole, readonly string[]>>;
  /**
   * Facts the capability computes from the record without the model (its `derive`),
   * seen as `derived.<name>`: e.g. why the daily review flagged a deal. Never day
   * counts or anything else that changes while the record does not: the same record
   * must render the same prompt, or reuse by input hash never happens.
   */
  derived?: readonly string[];
}

/**
 * Records a capability's notes and tasks also go on, besides the triggering record:
 * a record's primary company, a contact's newest open deal, a ticket's requester
 * (its first contact), a deal's primary contact. The capability declares them, not the prompt: their ids are
 * read with the context but never part of what a prompt sees.
 */
export const ASSOCIATION_ROLES = ['primaryCompany', 'openDeal', 'requester', 'primaryContact'] as const;
export type AssociationRole = (typeof ASSOCIATION_ROLES)[number];
/** The ids found, by role; a role the record has no record for is absent. */
export type AssociatedRecordIds = Partial<Record<AssociationRole, string>>;

/** How a snapshot names an associated id (`associated.primaryCompany`): no prompt declares these, so none sees them. */
const ASSOCIATED_PREFIX = 'associated';
/** How a snapshot names a derived fact (`derived.attention`): a prompt sees the ones it declares. */
const DERIVED_PREFIX = 'derived';

export interface RelatedRecord {
  id: string;
  properties: Record<string, string>;
}

/** The CRM context of one decision, as read from HubSpot (real values: the audit's snapshot). */
export interface CrmContext {
  objectType: CrmObjectType;
  objectId: string;
  record: Record<string, string>;
  related: Partial<Record<RelatedRole, RelatedRecord[]>>;
  /** The ids the capability's writebacks also associate with (see ASSOCIATION_ROLES); never sent to the model. */
  associated?: AssociatedRecordIds;
  /** What the capability computed from the record (ContextSpec.derived), e.g. the review's reasons for a deal. */
  derived?: Record<string, string>;
  /** One entry per HubSpot call that built it. */
  /** Each HubSpot call that built the context; `apiVersion` is the version of the path called (HUBSPOT_OPERATIONS). */
  reads: Array<{ call: string; status: number; apiVersion?: string }>;
  /** What HubSpot's headers said on the last call. */
  rateLimit: RateLimitSnapshot;
}

/**
 * The context as one flat map for the audit's snapshot, minimisation and the
 * prompt: the record's properties under their own names, related records as
 * `company.name`, `notes.1.hs_note_body` (newest first). Related records' ids are
 * left out: the model does not need them. The ids the writebacks also associate
 * with are kept as `associated.primaryCompany`, `associated.openDeal`,
 * `associated.requester`, so the audit shows why a note went on a company;
 * pickDeclared never passes them to a prompt.
 */
export function flattenContext(context: Pick<CrmContext, 'record' | 'related' | 'associated' | 'derived'>): Record<string, string> {
  const flat: Record<string, string> = { ...context.record };
  for (const role of RELATED_ROLES) {
    const records = context.related[role] ?? [];
    records.forEach((record, index) => {
      const prefix = role === 'company' ? 'company' : `${role}.${index + 1}`;
      for (const [name, value] of Object.entries(record.properties)) flat[`${prefix}.${name}`] = value;
    });
  }
  for (const role of ASSOCIATION_ROLES) {
    const id = context.associated?.[role];
    if (id !== undefined) flat[`${ASSOCIATED_PREFIX}.${role}`] = id;
  }
  for (const [name, value] of Object.entries(context.derived ?? {})) flat[`${DERIVED_PREFIX}.${name}`] = value;
  return flat;
}

/**
 * The facts of a flat snapshot that a prompt declares (see ContextSpec). A live
 * context holds nothing else but the writeback associations' ids, which no prompt
 * sees; a replay's snapshot was read for another prompt version, which may have
 * declared more.
 */
export function pickDeclared(snapshot: Record<string, string>, spec: ContextSpec): Record<string, string> {
  const record = new Set(spec.record);
  const picked: Record<string, string> = {};
  for (const [key, value] of Object.entries(snapshot)) {
    const parts = key.split('.');
    // Writeback associations are the platform's, never a prompt's facts.
    if (parts[0] === ASSOCIATED_PREFIX && parts.length > 1) continue;
    if (parts[0] === DERIVED_PREFIX && parts.length === 2) {
      if ((spec.derived ?? []).includes(parts[1]!)) picked[key] = value;
      continue;
    }
    const declared =
      parts.length === 1
        ? record.has(key)
        : (spec.related?.[parts[0] as RelatedRole] ?? []).includes(parts[parts.length - 1]!) && parts.length === (parts[0] === 'company' ? 2 : 3);
    if (declared) picked[key] = value;
  }
  return picked;
}

/**
 * What `wanted` declares that `had` did not: fields a context read for `had` never
 * holds (`jobtitle`, `notes.hs_note_body`). A replay with a wider prompt version sees
 * them as absent, which is not the same as the CRM having no value.
 */
export function declaredNotIn(wanted: ContextSpec, had: ContextSpec): string[] {
  const missing = wanted.record.filter((field) => !had.record.includes(field));
  for (const role of RELATED_ROLES) {
    const before = had.related?.[role] ?? [];
    for (const field of wanted.related?.[role] ?? []) if (!before.includes(field)) missing.push(`${role}.${field}`);
  }
  for (const field of wanted.derived ?? []) if (!(had.derived ?? []).includes(field)) missing.push(`${DERIVED_PREFIX}.${field}`);
  return missing;
}

/** The flat map back as nested sections, which reads better in a prompt. */
export function nestContext(flat: Record<string, string>): Record<string, unknown> {
  const nested: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = nested;
    for (const part of parts.slice(0, -1)) {
      const child = node[part];
      node = (typeof child === 'object' && child !== null ? child : (node[part] = {})) as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return nested;
}

/** Keeps only the declared properties, dropping empty values. */
export function pickFields(properties: Record<string, unknown>, fields: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const field of fields) {
    const value = properties[field];
    if (value !== null && value !== undefined && String(value).trim() !== '') picked[field] = String(value);
  }
  return picked;
}

/** The newest `limit` records by a timestamp property (ISO or epoch ms), newest first; records without it last. */
export function newestFirst<T extends { properties: Record<string, string | null> }>(records: readonly T[], by: string, limit: number): T[] {
  const time = (r: T) => {
    const raw = r.properties[by];
    if (!raw) return -Infinity;
    const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
    return Number.isFinite(n) ? n : -Infinity;
  };
  return [...records].sort((a, b) => time(b) - time(a)).slice(0, limit);
}

/** Candidate ids for "recent" records: HubSpot ids grow over time, so the highest ids first. */
export function highestIds(ids: readonly string[], limit: number): string[] {
  const numeric = ids.filter((id) => /^\d+$/.test(id));
  return numeric.sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0)).slice(0, limit);
}
