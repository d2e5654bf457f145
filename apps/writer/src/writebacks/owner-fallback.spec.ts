import type { PlatformEvent, WritebackCommand } from '@app/common';
import type { WriteItem } from '../pipeline/portal-queue';
import { fallbackOwner, ownerSent } from './owner-fallback';

const task = (objectType: 'contacts' | 'tickets', ownerId?: string): WritebackCommand => ({
  kind: 'create-task', commandId: 'c', decisionId: 'd', objectType, objectId: '1', subject: 's', body: 'b', dueAt: 'x', priority: 'LOW', taskType: 'EMAIL', ...(ownerId ? { ownerId } : {}),
});
const itemOf = (command: WritebackCommand, extra: Partial<WriteItem> = {}): WriteItem => ({
  key: 'k', group: 'create:tasks', commands: [{ request: { data: command } as PlatformEvent<'WritebackRequested'>, topic: 't', partition: 0, offset: 0, receivedAtMs: 0 }], attempt: 0, notBeforeMs: 0, alone: false, ...extra,
});

describe('owner fallback', () => {
  const settings = { leadRouting: { defaultOwnerId: '10' }, serviceRouting: { defaultOwnerId: '20' } };

  it('gives a lead’s task to the lead routing’s default owner and a ticket’s to the service routing’s', () => {
    expect(fallbackOwner(settings, task('contacts', '99'), '99')).toBe('10');
    expect(fallbackOwner(settings, task('tickets', '99'), '99')).toBe('20');
  });

  it('leaves the work unassigned when the default owner is the refused one, or there is none', () => {
    expect(fallbackOwner(settings, task('contacts', '10'), '10')).toBeNull();
    expect(fallbackOwner({}, task('contacts', '99'), '99')).toBeNull();
  });

  it('knows which owner an item writes: its override first, else the routed one', () => {
    expect(ownerSent(itemOf(task('contacts', '99')))).toBe('99');
    expect(ownerSent(itemOf(task('contacts', '99'), { ownerOverride: '10' }))).toBe('10');
    expect(ownerSent(itemOf(task('contacts', '99'), { ownerOverride: null }))).toBeUndefined();
    const update: WritebackCommand = { kind: 'update-properties', commandId: 'u', decisionId: 'd', objectType: 'tickets', objectId: '1', properties: { hubspot_owner_id: '5' } };
    expect(ownerSent(itemOf(update, { properties: { hubspot_owner_id: '6' } }))).toBe('6');
  });
});
