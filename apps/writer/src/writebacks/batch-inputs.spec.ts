import type { PlatformEvent, WritebackCommand } from '@app/common';
import type { WriteItem } from '../pipeline/portal-queue';
import { resolveTypes } from './association-labels';
import { batchInputs, operationOf } from './batch-inputs';
import { markerIn } from './create-outcomes';

const COMMAND_ID = '5d0c7a6e-1b2c-5d3e-8f40-123456789abc';
const item = (data: Partial<WritebackCommand>, group: string, extra: Partial<WriteItem> = {}): WriteItem => ({
  key: 'k',
  group,
  commands: [{ request: { data: { commandId: COMMAND_ID, decisionId: 'd', ...data } } as PlatformEvent<'WritebackRequested'>, topic: 't', partition: 0, offset: 1, receivedAtMs: 0 }],
  attempt: 0,
  notBeforeMs: 0,
  alone: false,
  ...extra,
});
const defaults = (from: 'notes' | 'tasks', to: Parameters<typeof resolveTypes>[1]) => resolveTypes(from, to, undefined, undefined).types;

describe('batchInputs', () => {
  it('associates notes and tasks with HubSpot’s type id for each pair, with hs_timestamp and the command’s marker', () => {
    const [note, task] = batchInputs(
      [
        item({ kind: 'create-note', objectType: 'tickets', objectId: '5', body: 'Draft reply', timestamp: '2026-11-28T09:00:00.000Z' }, 'create:notes'),
        item({ kind: 'create-task', objectType: 'deals', objectId: '6', subject: 'Follow up', body: 'b', dueAt: '2026-11-29T09:00:00.000Z', priority: 'MEDIUM', taskType: 'TODO', ownerId: '42' }, 'create:tasks'),
      ],
      defaults,
    );
    expect(note!.body).toEqual({
      properties: { hs_timestamp: '2026-11-28T09:00:00.000Z', hs_note_body: `Draft reply<p>hubspot-ai ref ${COMMAND_ID}</p>` },
      associations: [{ to: { id: '5' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 228 }] }],
      objectWriteTraceId: 'w0',
    });
    expect(task!.body).toMatchObject({
      properties: { hs_timestamp: '2026-11-29T09:00:00.000Z', hs_task_subject: 'Follow up', hs_task_status: 'NOT_STARTED', hs_task_priority: 'MEDIUM', hs_task_type: 'TODO', hubspot_owner_id: '42' },
      associations: [{ types: [{ associationTypeId: 216 }] }],
      objectWriteTraceId: 'w1',
    });
    expect(markerIn(note!.body.properties)).toBe(COMMAND_ID);
    expect(markerIn(task!.body.properties)).toBe(COMMAND_ID);
    expect(note!.commandId).toBe(COMMAND_ID);
  });

  it('cuts a body longer than HubSpot takes (65,536 characters) before the marker, for tasks as for notes', () => {
    const long = 'x'.repeat(70_000);
    const [note, task] = batchInputs(
      [
        item({ kind: 'create-note', objectType: 'deals', objectId: '5', body: long, timestamp: '2026-11-28T09:00:00.000Z' }, 'create:notes'),
        item({ kind: 'create-task', objectType: 'deals', objectId: '6', subject: 'Digest', body: long, dueAt: '2026-11-29T09:00:00.000Z', priority: 'MEDIUM', taskType: 'TODO' }, 'create:tasks'),
      ],
      defaults,
    );
    expect(note!.body.properties.hs_note_body!.length).toBe(65_536);
    expect(task!.body.properties.hs_task_body!.length).toBe(65_536);
    expect(markerIn(note!.body.properties)).toBe(COMMAND_ID);
    expect(markerIn(task!.body.properties)).toBe(COMMAND_ID);
  });

  it('associates with every record the command names, once each, with the types the portal resolved', () => {
    const [task] = batchInputs(
      [
        item(
          {
            kind: 'create-task', objectType: 'contacts', objectId: '1', subject: 's', body: 'b', dueAt: '2026-11-29T09:00:00.000Z', priority: 'LOW', taskType: 'EMAIL',
            alsoAssociate: [{ objectType: 'companies', objectId: '2' }, { objectType: 'deals', objectId: '3' }, { objectType: 'contacts', objectId: '1' }],
          },
          'create:tasks',
        ),
      ],
      (from, to) => (to === 'contacts' ? [...defaults(from, to), { associationCategory: 'USER_DEFINED', associationTypeId: 1001 }] : defaults(from, to)),
    );
    expect(task!.body.associations).toEqual([
      { to: { id: '1' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 204 }, { associationCategory: 'USER_DEFINED', associationTypeId: 1001 }] },
      { to: { id: '2' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 192 }] },
      { to: { id: '3' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 216 }] },
    ]);
  });

  it('writes the fallback owner, or none, in place of a refused one', () => {
    const task = { kind: 'create-task', objectType: 'contacts', objectId: '1', subject: 's', body: 'b', dueAt: 'x', priority: 'LOW', taskType: 'EMAIL', ownerId: '42' } as const;
    expect(batchInputs([item(task, 'create:tasks', { ownerOverride: '7' })], defaults)[0]!.body.properties.hubspot_owner_id).toBe('7');
    expect(batchInputs([item(task, 'create:tasks', { ownerOverride: null })], defaults)[0]!.body.properties).not.toHaveProperty('hubspot_owner_id');
    const update = { ...item({ kind: 'update-properties', objectType: 'tickets', objectId: '9', properties: {} }, 'update:tickets', { ownerOverride: null }), properties: { hubspot_owner_id: '42', ai_summary: 's' } };
    expect(batchInputs([update], defaults)[0]!.body.properties).toEqual({ ai_summary: 's' });
  });

  it('sends an update’s merged properties and names the call by group', () => {
    const merged = { ...item({ kind: 'update-properties', objectType: 'contacts', objectId: '9', properties: { a: '1' } }, 'update:contacts'), properties: { a: '2', b: '3' } };
    expect(batchInputs([merged], defaults)[0]!.body).toEqual({ id: '9', properties: { a: '2', b: '3' }, objectWriteTraceId: 'w0' });
    expect(operationOf('update:contacts')).toEqual({ kind: 'update', objectType: 'contacts' });
    expect(operationOf('create:notes')).toEqual({ kind: 'create', objectType: 'notes' });
  });
});
