import { Injectable } from '@nestjs/common';
import type { CrmObjectType, HubSpotFailureClass, RateLimitSnapshot } from '@app/common';
import { CrmReader, type CrmFound, type CrmRecord, type CrmRecordWithAssociations, type PortalCredentials } from '../crm/crm-reader';
import { highestIds, newestFirst, pickFields, type ContextSpec, type CrmContext, type RelatedRecord, type RelatedRole } from './crm-context';

export type AssembledContext = { kind: 'assembled'; context: CrmContext } | { kind: 'failed'; failure: HubSpotFailureClass; call: string };

/** How many related records of each role a prompt sees at most. */
export const RELATED_LIMITS: Record<RelatedRole, number> = { company: 1, contacts: 5, notes: 5, emails: 10, previousTickets: 5 };
/** Candidates read per role before keeping the newest (one batch read). */
const CANDIDATES = 50;
const ROLE_TYPES: Record<RelatedRole, CrmObjectType> = { company: 'companies', contacts: 'contacts', notes: 'notes', emails: 'emails', previousTickets: 'tickets' };
/** The property that orders each role's records, newest first. */
const NEWEST_BY: Partial<Record<RelatedRole, string>> = { notes: 'hs_timestamp', emails: 'hs_timestamp', previousTickets: 'createdate' };

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
 * A triggering record HubSpot no longer has fails with `not-found` (the caller
 * records the trigger as skipped); related records that vanished are left out,
 * and so is a related role the token has no scope for (403, noted in `reads`).
 */
@Injectable()
export class ContextAssembler {
  constructor(private readonly crm: CrmReader) {}

  async assemble(portal: PortalCredentials, objectType: CrmObjectType, objectId: string, spec: ContextSpec): Promise<AssembledContext> {
    const wanted = (Object.keys(spec.related ?? {}) as RelatedRole[]).filter((role) => spec.related?.[role] !== undefined);
    const fromRecord = wanted.filter((role) => role !== 'previousTickets').map((role) => ROLE_TYPES[role]);
    // A ticket's previous tickets hang off its contact, so the contact is read with its tickets.
    const needsRequester = objectType === 'tickets' && (wanted.includes('previousTickets') || wanted.includes('contacts'));
    const associated = [...new Set([...fromRecord, ...(needsRequester ? (['contacts'] as CrmObjectType[]) : [])])];

    const reads: CrmContext['reads'] = [];
    let rateLimit: RateLimitSnapshot = {};
    /** Notes a successful call in the context's audit and returns what it read. */
    const track = <T>(call: string, read: CrmFound<T>): T => {
      reads.push({ call, status: read.status });
      rateLimit = read.rateLimit;
      return read.value;
    };

    const recordCall = `read ${objectType} ${objectId}`;
    const recordRead = await this.crm.getRecord(portal, objectType, objectId, spec.record, associated);
    if (recordRead.kind === 'failed') return { kind: 'failed', failure: recordRead.failure, call: recordCall };
    const record = track(recordCall, recordRead);
    const related: CrmContext['related'] = {};

    let requester: CrmRecordWithAssociations | undefined;
    const requesterId = needsRequester ? record.associations.contacts?.ids[0] : undefined;
    if (requesterId !== undefined) {
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
      if (read.kind === 'failed' && read.failure.kind === 'unauthorized' && read.failure.status === 403) {
        reads.push({ call, status: 403 });
        continue;
      }
      if (read.kind === 'failed' && read.failure.kind !== 'not-found') return { kind: 'failed', failure: read.failure, call };
      const records = read.kind === 'found' ? track(call, read) : [];
      const kept = orderBy ? newestFirst(records, orderBy, RELATED_LIMITS[role]) : records.slice(0, RELATED_LIMITS[role]);
      if (kept.length > 0) related[role] = kept.map((r) => toRelated(r, fields));
    }

    return {
      kind: 'assembled',
      context: { objectType, objectId, record: pickFields(record.properties, spec.record), related, reads, rateLimit },
    };
  }
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
