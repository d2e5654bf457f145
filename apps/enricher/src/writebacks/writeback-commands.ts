import { causedBy, deterministicId, type AlsoAssociatedRecord, type CrmObjectType, type EventEnvelope, type PlatformEvent, type WritebackCommand } from '@app/common';

/** Model text inside a note's HTML body: shown as text, never as markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A command as the event that asks the writer for it: caused by its decision, its id the command's (idempotent). */
export function writebackRequested(decision: EventEnvelope, command: WritebackCommand, now: Date): PlatformEvent<'WritebackRequested'> {
  return causedBy(decision, { type: 'WritebackRequested', portalId: decision.portalId, id: command.commandId, data: command }, now);
}

/**
 * What every command of one decision about one record shares. Its id derives from
 * the decision, the record and the kind, so a replayed command is recognised.
 */
export function commandsFor(decisionId: string, objectType: CrmObjectType, objectId: string) {
  return (kind: WritebackCommand['kind']) => ({ decisionId, objectType, objectId, commandId: deterministicId('writeback', decisionId, objectType, objectId, kind) });
}

/**
 * The records a note or task also goes on, to spread into the command: those with
 * an id, in the order given; nothing at all when none has one. The command id does
 * not depend on them, so a replayed command is recognised whatever they were.
 */
export function alsoAssociated(...records: Array<{ objectType: CrmObjectType; objectId: string | undefined }>): { alsoAssociate?: AlsoAssociatedRecord[] } {
  const also = records.filter((r): r is AlsoAssociatedRecord => r.objectId !== undefined).map(({ objectType, objectId }) => ({ objectType, objectId }));
  return also.length > 0 ? { alsoAssociate: also } : {};
}

/** A draft the model wrote, as a note on the record (and `also` those records) for a person to review before sending. */
export function draftNote(base: ReturnType<typeof commandsFor>, what: string, draft: string, timestamp: string, also: ReturnType<typeof alsoAssociated> = {}): WritebackCommand {
  return {
    ...base('create-note'),
    kind: 'create-note',
    ...also,
    body: `<p><strong>AI draft — ${what} (review before sending)</strong></p><pre>${escapeHtml(draft)}</pre>`,
    timestamp,
  };
}
