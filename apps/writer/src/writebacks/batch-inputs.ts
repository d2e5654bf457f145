import type { CreateNoteCommand, CreateTaskCommand, CrmObjectType, WritebackCommand } from '@app/common';
import type { WriteItem } from '../pipeline/portal-queue';
import type { AssociationTypeRef } from './association-labels';
import { markerOf } from './create-outcomes';

/** HubSpot takes at most this many characters in a string property: a note's or a task's body included. */
const MAX_BODY = 65_536;

export type BatchOperation = { kind: 'update'; objectType: string } | { kind: 'create'; objectType: 'notes' | 'tasks' };

export interface BatchInput {
  /** objectWriteTraceId: how HubSpot ties an error to its input. */
  traceId: string;
  /** The command this input carries (for a merged update, the first). */
  commandId: string;
  body: { properties: Record<string, string>; [key: string]: unknown };
}

/** The association types a create uses for each record it is associated with. */
export type AssociationTypesFor = (from: 'notes' | 'tasks', to: CrmObjectType) => AssociationTypeRef[];

export function operationOf(group: string): BatchOperation {
  const [kind, objectType] = group.split(':') as [string, string];
  if (kind === 'create') return { kind, objectType: objectType as 'notes' | 'tasks' };
  return { kind: 'update', objectType };
}

export function commandOf(item: WriteItem): WritebackCommand {
  return item.commands[0]!.request.data;
}

/** The records a note or task is associated with: its own, then the others it names (no duplicates). */
export function associatedRecords(command: CreateNoteCommand | CreateTaskCommand): Array<{ objectType: CrmObjectType; objectId: string }> {
  const all = [{ objectType: command.objectType, objectId: command.objectId }, ...(command.alsoAssociate ?? [])];
  const seen = new Set<string>();
  return all.filter((r) => {
    const key = `${r.objectType}:${r.objectId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The HubSpot inputs of one batch, one per item, in item order. Pure. */
export function batchInputs(items: WriteItem[], typesFor: AssociationTypesFor): BatchInput[] {
  return items.map((item, index) => {
    const traceId = `w${index}`;
    const command = commandOf(item);
    if (command.kind === 'update-properties') {
      const properties = withOwner(item.properties ?? command.properties, item.ownerOverride);
      return { traceId, commandId: command.commandId, body: { id: command.objectId, properties, objectWriteTraceId: traceId } };
    }
    return { traceId, commandId: command.commandId, body: { ...engagementInput(command, typesFor, item.ownerOverride), objectWriteTraceId: traceId } };
  });
}

/** An owner override replaces the routed owner (null removes it). */
function withOwner(properties: Record<string, string>, override: string | null | undefined): Record<string, string> {
  if (override === undefined || !('hubspot_owner_id' in properties)) return properties;
  const { hubspot_owner_id: _dropped, ...rest } = properties;
  return override === null ? rest : { ...rest, hubspot_owner_id: override };
}

/**
 * A note or task with its marker (the command id, docs/decisions/0018) at the end
 * of its body: how its record is found in HubSpot's answer and, after a lost
 * answer, in the portal.
 */
function engagementInput(command: CreateNoteCommand | CreateTaskCommand, typesFor: AssociationTypesFor, ownerOverride: string | null | undefined): BatchInput['body'] {
  const from = command.kind === 'create-note' ? 'notes' : 'tasks';
  const associations = associatedRecords(command).map((r) => ({ to: { id: r.objectId }, types: typesFor(from, r.objectType) }));
  const marker = markerOf(command.commandId);
  if (command.kind === 'create-note') {
    const trailer = `<p>${marker}</p>`;
    return { properties: { hs_timestamp: command.timestamp, hs_note_body: command.body.slice(0, MAX_BODY - trailer.length) + trailer }, associations };
  }
  const properties: Record<string, string> = {
    hs_timestamp: command.dueAt,
    hs_task_subject: command.subject,
    // Cut before the marker, never through it: a long digest must not lose what finds its task again.
    hs_task_body: command.body.slice(0, MAX_BODY - marker.length - 2) + `\n\n${marker}`,
    hs_task_status: 'NOT_STARTED',
    hs_task_priority: command.priority,
    hs_task_type: command.taskType,
  };
  const owner = ownerOverride === undefined ? command.ownerId : (ownerOverride ?? undefined);
  if (owner) properties.hubspot_owner_id = owner;
  return { properties, associations };
}
