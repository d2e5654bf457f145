import type { PlatformEvent, WritebackCommand } from '@app/common';
import type { WriteItem } from '../pipeline/portal-queue';
import { batchInputs, operationOf } from './batch-inputs';

const item = (data: Partial<WritebackCommand>, group: string): WriteItem => ({
  key: 'k',
  group,
  commands: [{ request: { data: { commandId: 'c', decisionId: 'd', ...data } } as PlatformEvent<'WritebackRequested'>, topic: 't', partition: 0, offset: 1, receivedAtMs: 0 }],
  attempt: 0,
  notBeforeMs: 0,
  alone: false,
});

describe('batchInputs', () => {
  it('associates notes and tasks with HubSpot’s type id for each pair, with hs_timestamp', () => {
    const [note, task] = batchInputs([
      item({ kind: 'create-note', objectType: 'tickets', objectId: '5', body: 'Draft reply', timestamp: '2026-11-28T09:00:00.000Z' }, 'create:notes'),
      item({ kind: 'create-task', objectType: 'deals', objectId: '6', subject: 'Follow up', body: 'b', dueAt: '2026-11-29T09:00:00.000Z', priority: 'MEDIUM', taskType: 'TODO', ownerId: '42' }, 'create:tasks'),
    ]);
    expect(note!.body).toEqual({
      properties: { hs_timestamp: '2026-11-28T09:00:00.000Z', hs_note_body: 'Draft reply' },
      associations: [{ to: { id: '5' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 228 }] }],
      objectWriteTraceId: 'w0',
    });
    expect(task!.body).toMatchObject({
      properties: { hs_timestamp: '2026-11-29T09:00:00.000Z', hs_task_subject: 'Follow up', hs_task_status: 'NOT_STARTED', hs_task_priority: 'MEDIUM', hs_task_type: 'TODO', hubspot_owner_id: '42' },
      associations: [{ types: [{ associationTypeId: 216 }] }],
      objectWriteTraceId: 'w1',
    });
  });

  it('sends an update’s merged properties and names the call by group', () => {
    const merged = { ...item({ kind: 'update-properties', objectType: 'contacts', objectId: '9', properties: { a: '1' } }, 'update:contacts'), properties: { a: '2', b: '3' } };
    expect(batchInputs([merged])[0]!.body).toEqual({ id: '9', properties: { a: '2', b: '3' }, objectWriteTraceId: 'w0' });
    expect(operationOf('update:contacts')).toEqual({ kind: 'update', objectType: 'contacts' });
    expect(operationOf('create:notes')).toEqual({ kind: 'create', objectType: 'notes' });
  });
});
