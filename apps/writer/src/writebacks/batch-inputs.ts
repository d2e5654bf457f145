import { engagementAssociationTypeId, type CreateNoteCommand, type CreateTaskCommand, type WritebackCommand } from '@app/common';
import type { WriteItem } from '../pipeline/portal-queue';

/** HubSpot keeps at most this much of a note body. */
const MAX_NOTE_BODY = 65_536;

export type BatchOperation = { kind: 'update'; objectType: string } | { kind: 'create'; objectType: 'notes' | 'tasks' };

export interface BatchInput {
  /** objectWriteTraceId: how HubSpot tells which input an error belongs to. */
  traceId: string;
  body: Record<string, unknown>;
}

export function operationOf(group: string): BatchOperation {
  const [kind, objectType] = group.split(':') as [string, string];
  if (kind === 'create') return { kind, objectType: objectType as 'notes' | 'tasks' };
  return { kind: 'update', objectType };
}

/** The HubSpot inputs of one batch, one per item, in item order. Pure. */
export function batchInputs(items: WriteItem[]): BatchInput[] {
  return items.map((item, index) => {
    const traceId = `w${index}`;
    const command = item.commands[0]?.request.data as WritebackCommand;
    if (command.kind === 'update-properties') return { traceId, body: { id: command.objectId, properties: item.properties ?? command.properties, objectWriteTraceId: traceId } };
    return { traceId, body: { ...engagementInput(command), objectWriteTraceId: traceId } };
  });
}

function engagementInput(command: CreateNoteCommand | CreateTaskCommand): Record<string, unknown> {
  const from = command.kind === 'create-note' ? 'notes' : 'tasks';
  const associations = [
    { to: { id: command.objectId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: engagementAssociationTypeId(from, command.objectType) }] },
  ];
  if (command.kind === 'create-note') {
    return { properties: { hs_timestamp: command.timestamp, hs_note_body: command.body.slice(0, MAX_NOTE_BODY) }, associations };
  }
  const properties: Record<string, string> = {
    hs_timestamp: command.dueAt,
    hs_task_subject: command.subject,
    hs_task_body: command.body,
    hs_task_status: 'NOT_STARTED',
    hs_task_priority: command.priority,
    hs_task_type: command.taskType,
  };
  if (command.ownerId) properties.hubspot_owner_id = command.ownerId;
  return { properties, associations };
}
