import { configuredLabel, resolveTypes } from './association-labels';

describe('resolveTypes', () => {
  const labels = [
    { category: 'HUBSPOT_DEFINED' as const, typeId: 202, label: null },
    { category: 'USER_DEFINED' as const, typeId: 1004, label: 'AI insight' },
  ];

  it('uses HubSpot’s default type when the portal configures no label (no lookup needed)', () => {
    expect(resolveTypes('notes', 'contacts', undefined, undefined)).toEqual({ types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] });
  });

  it('adds the portal’s own label, found by name whatever its case, next to the default', () => {
    expect(resolveTypes('notes', 'contacts', ' ai INSIGHT', labels)).toEqual({
      types: [
        { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 },
        { associationCategory: 'USER_DEFINED', associationTypeId: 1004 },
      ],
    });
  });

  it('falls back to the default, and says which label is missing, when the portal has no such label', () => {
    expect(resolveTypes('tasks', 'companies', 'Sponsor', labels)).toEqual({ types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 192 }], missingLabel: 'Sponsor' });
  });

  it('reads the configured label per engagement and target', () => {
    expect(configuredLabel({ notes: { contacts: 'AI insight' } }, 'notes', 'contacts')).toBe('AI insight');
    expect(configuredLabel({ notes: { contacts: 'AI insight' } }, 'tasks', 'contacts')).toBeUndefined();
    expect(configuredLabel(undefined, 'notes', 'contacts')).toBeUndefined();
  });
});
