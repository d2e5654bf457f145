import { Injectable } from '@nestjs/common';
import type { CrmObjectType, HubSpotFailureClass, RateLimitSnapshot } from '@app/common';
import { CrmReader, type CrmFound, type CrmRecord, type CrmRecordWithAssociations, type PortalCredentials } from '../crm/crm-reader';
import {
  highestIds,
  newestFirst,
  pickFields,
  type AssociatedRecordIds,
  type AssociationRole,
  type ContextSpec,
  type CrmContext,
  type RelatedRecord,
  type RelatedRole,
} from './crm-context';

export type AssembledContext = { kind: 'assembled'; context: CrmContext } | { kind: 'failed'; failure: HubSpotFailureClass; call: string };

/** How many related records of each role a prompt sees at most. */
export const RELATED_LIMITS: Record<RelatedRole, number> = { company: 1, contacts: 5, notes: 5, emails: 10, previousTickets: 5 };
/** Candidates read per role before keeping the newest (one batch read). */
const CANDIDATES = 50;
const ROLE_TYPES: Record<RelatedRole, CrmObjectType> = { company: 'companies', contacts: 'contacts', notes: 'notes', emails: 'emails', previousTickets: 'tickets' };
/** The property that orders each role's records, newest first. */
const NEWEST_BY: Partial<Record<RelatedRole, string>> = { notes: 'hs_timestamp', emails: 'hs_timestamp', previousTickets: 'createdate' };
/** What a deal is read with to find the open one: HubSpot's own closed flag, the stage (for a deal without the flag), its age. */
const DEAL_FIELDS = ['hs_is_closed', 'dealstage', 'createdate'] as const;
/** The default pipeline's closed stages: closed for a deal HubSpot sent no `hs_is_closed` for. */
const CLOSED_STAGES = new Set(['closedwon', 'closedlost']);

/**
 * Builds the CRM context a prompt declares, with as few HubSpot calls as the
 * shape allows: the record and its association ids in one call, then one batch
 * read per related role. Every call goes through CrmReader, so inside the
 * portal's budget.
 *
 * - contact: its primary company, recent notes and emails;
 * - ticket: its contact (the requester), company, that contact's previous
 *   tickets, the ticket's email thread;
 * - deal: its contacts, primary company, recent notes.
 *
 * The capability may also ask for the ids its notes and tasks go on besides the
 * record (`associates`; never part of what the prompt sees):
 * - `primaryCompany`, `requester`: no extra call. Their association ids come with
 *   the record's read (`associations=companies` / `contacts`); the requester is
 *   the contact the prompt's context reads, when it reads one (one that vanished
 *   is not associated);
 * - `openDeal`: the record's read also lists `deals`, and when there are any, one
 *   batch read of the 50 highest deal ids (`hs_is_closed`, `dealstage`,
 *   `createdate`) finds the newest open one: one call more, none for a contact
 *   without deals.
 * So a new contact for Lead AI costs what its prompt's context costs (1 + one per
 * declared role it has records for: at most 4 for lead-scoring v5) + 1 when it has
 * deals; a re-score asks for none of these, and a ticket for Service AI costs what
 * its prompt's context costs, nothing more.
 *
 * A triggering record HubSpot no longer has fails with `not-found` (the caller
 * records the trigger as skipped); related records that vanished are left out,
 * and so is a related role the token has no scope for (403, noted in `reads`).
 * A token without the deals scope costs the open deal, never the decision: a
 * refused deals read is left out, and a record read refused with `deals` in its
 * associations is read again without them (one call more, only then).
 */
@Injectable()
export class ContextAssembler {
  constructor(private readonly crm: CrmReader) {}

  async assemble(
    portal: PortalCredentials,
    objectType: CrmObjectType,
    objectId: string,
    spec: ContextSpec,
    associates: readonly AssociationRole[] = [],
  ): Promise<AssembledContext> {
    const wanted = (Object.keys(spec.related ?? {}) as RelatedRole[]).filter((role) => spec.related?.[role] !== undefined);
    const fromRecord = wanted.filter((role) => role !== 'previousTickets').map((role) => ROLE_TYPES[role]);
    // A ticket's previous tickets hang off its contact, so the contact is read with its tickets.
    const needsRequester = objectType === 'tickets' && (wanted.includes('previousTickets') || wanted.includes('contacts'));
    const forWritebacks = associationTypes(objectType, associates);
    let associated = [...new Set([...fromRecord, ...(needsRequester ? (['contacts'] as CrmObjectType[]) : []), ...forWritebacks])];

    const reads: CrmContext['reads'] = [];
    let rateLimit: RateLimitSnapshot = {};
    /** Notes a successful call in the context's audit and returns what it read. */
    const track = <T>(call: string, read: CrmFound<T>): T => {
      reads.push({ call, status: read.status, ...(read.apiVersion ? { apiVersion: read.apiVersion } : {}) });
      rateLimit = read.rateLimit;
      return read.value;
    };

    const recordCall = `read ${objectType} ${objectId}`;
    let recordRead = await this.crm.getRecord(portal, objectType, objectId, spec.record, associated);
    if (recordRead.kind === 'failed' && isForbidden(recordRead.failure) && associated.includes('deals')) {
      // Listing deals may need the deals scope: without it, only the open deal is lost.
      reads.push({ call: `${recordCall} with its deals`, status: 403 });
      associated = associated.filter((type) => type !== 'deals');
      recordRead = await this.crm.getRecord(portal, objectType, objectId, spec.record, associated);
    }
    if (recordRead.kind === 'failed') return { kind: 'failed', failure: recordRead.failure, call: recordCall };
    const record = track(recordCall, recordRead);
    const related: CrmContext['related'] = {};

    let requester: CrmRecordWithAssociations | undefined;
    const requesterId = objectType === 'tickets' ? record.associations.contacts?.ids[0] : undefined;
    if (needsRequester && requesterId !== undefined) {
      const call = `read contacts ${requesterId}`;
      const read = await this.crm.getRecord(portal, 'contacts', requesterId, spec.related?.contacts ?? [], ['tickets']);
      if (read.kind === 'failed' && read.failure.kind !== 'not-found') return { kind: 'failed', failure: read.failure, call };
      if (read.kind === 'found') requester = track(call, read);
    }

    for (const role of wanted) {
      const fields = spec.related![role]!;
      if (role === 'contacts' && objectType === 'tickets') {
        if (requester) related.contacts = [toRelated(requester, fields)];
        continue;
      }
      const ids = candidateIds(role, objectType, objectId, record, requester);
      if (ids.length === 0) continue;
      const type = ROLE_TYPES[role];
      const orderBy = NEWEST_BY[role];
      const read = await this.crm.batchRead(portal, type, ids, orderBy && !fields.includes(orderBy) ? [...fields, orderBy] : fields);
      const call = `batch read ${ids.length} ${type}`;
      // A token without the scope for one kind of related record (403) costs that context, not the decision.
      if (read.kind === 'failed' && isForbidden(read.failure)) {
        reads.push({ call, status: 403 });
        continue;
      }
      if (read.kind === 'failed' && read.failure.kind !== 'not-found') return { kind: 'failed', failure: read.failure, call };
      const records = read.kind === 'found' ? track(call, read) : [];
      const kept = orderBy ? newestFirst(records, orderBy, RELATED_LIMITS[role]) : records.slice(0, RELATED_LIMITS[role]);
      if (kept.length > 0) related[role] = kept.map((r) => toRelated(r, fields));
    }

    const ids: AssociatedRecordIds = {};
    if (associates.includes('primaryCompany')) {
      const company = primaryCompanyOf(record);
      if (company !== undefined) ids.primaryCompany = company;
    }
    if (associates.includes('primaryContact') && objectType !== 'contacts') {
      // The contact HubSpot labels primary, else the first listed (as for the company).
      const contacts = record.associations.contacts;
      const contact = contacts?.primaryId ?? contacts?.ids[0];
      if (contact !== undefined) ids.primaryContact = contact;
    }
    if (associates.includes('requester') && requesterId !== undefined) {
      // A requester the context read and found gone (404) is not associated; one it did not need to read is as listed.
      if (requester || !needsRequester) ids.requester = requesterId;
    }
    const deals = associates.includes('openDeal') ? highestIds(record.associations.deals?.ids ?? [], CANDIDATES) : [];
    if (deals.length > 0) {
      const call = `batch read ${deals.length} deals`;
      const read = await this.crm.batchRead(portal, 'deals', deals, DEAL_FIELDS);
      if (read.kind === 'failed' && isForbidden(read.failure)) reads.push({ call, status: 403 });
      else if (read.kind === 'failed' && read.failure.kind !== 'not-found') return { kind: 'failed', failure: read.failure, call };
      else if (read.kind === 'found') {
        const open = newestOpenDeal(track(call, read));
        if (open) ids.openDeal = open.id;
      }
    }

    return {
      kind: 'assembled',
      context: {
        objectType,
        objectId,
        record: pickFields(record.properties, spec.record),
        related,
        ...(associates.length > 0 ? { associated: ids } : {}),
        reads,
        rateLimit,
      },
    };
  }
}

/** The association types the record's read lists for the ids the writebacks need. */
function associationTypes(objectType: CrmObjectType, associates: readonly AssociationRole[]): CrmObjectType[] {
  const types: CrmObjectType[] = [];
  if (associates.includes('primaryCompany') && objectType !== 'companies') types.push('companies');
  if (associates.includes('openDeal') && objectType !== 'deals') types.push('deals');
  if (associates.includes('requester') && objectType === 'tickets') types.push('contacts');
  if (associates.includes('primaryContact') && objectType !== 'contacts' && !types.includes('contacts')) types.push('contacts');
  return types;
}

/** The company HubSpot labels primary, else the first listed (the same the prompt's `company` role reads). */
function primaryCompanyOf(record: CrmRecordWithAssociations): string | undefined {
  const companies = record.associations.companies;
  return companies?.primaryId ?? companies?.ids[0];
}

/**
 * The newest open deal: not closed by HubSpot's `hs_is_closed` (or, without it, not
 * in a closed stage of the default pipeline), the latest `createdate`, then the highest id.
 */
export function newestOpenDeal(deals: readonly CrmRecord[]): CrmRecord | undefined {
  const open = deals.filter((deal) => {
    const closed = deal.properties.hs_is_closed;
    return closed === null || closed === undefined || closed === '' ? !CLOSED_STAGES.has(deal.properties.dealstage ?? '') : closed !== 'true';
  });
  const byId = highestIds(open.map((deal) => deal.id), open.length).map((id) => open.find((deal) => deal.id === id)!);
  return newestFirst(byId, 'createdate', 1)[0];
}

function isForbidden(failure: HubSpotFailureClass): boolean {
  return failure.kind === 'unauthorized' && failure.status === 403;
}

/** Which records of a role to read: the primary company, or the newest candidates. */
function candidateIds(role: RelatedRole, objectType: CrmObjectType, objectId: string, record: CrmRecordWithAssociations, requester?: CrmRecordWithAssociations): string[] {
  if (role === 'previousTickets') return highestIds((requester?.associations.tickets?.ids ?? []).filter((id) => !(objectType === 'tickets' && id === objectId)), CANDIDATES);
  const associated = record.associations[ROLE_TYPES[role]];
  if (!associated) return [];
  if (role === 'company') {
    const primary = associated.primaryId ?? associated.ids[0];
    return primary === undefined ? [] : [primary];
  }
  if (role === 'contacts') return associated.ids.slice(0, RELATED_LIMITS.contacts);
  return highestIds(associated.ids, CANDIDATES);
}

function toRelated(record: CrmRecord, fields: readonly string[]): RelatedRecord {
  return { id: record.id, properties: pickFields(record.properties, fields) };
}
