import { missingScopesOf, readScopeOf, readSearchPage, searchBody } from './backfill-search';

describe('backfill search', () => {
  const before = new Date('2026-12-01T00:00:00.000Z');

  it('pages by hs_object_id ascending, asking for the ids above the cursor (never `after`: 10,000 results at most)', () => {
    expect(searchBody({ objectType: 'contacts', since: null, before, filter: null }, '4711', 200)).toEqual({
      filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'GT', value: '4711' }, { propertyName: 'createdate', operator: 'LTE', value: String(before.getTime() - 1) }] }],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      properties: ['hs_object_id'],
      limit: 200,
    });
  });

  it('lists records created in [since, the request) and ANDs the operator’s filters', () => {
    const since = new Date('2026-01-01T00:00:00.000Z');
    const body = searchBody({ objectType: 'tickets', since, before, filter: [{ propertyName: 'hs_pipeline', operator: 'EQ', value: '0' }] }, null, 500);
    expect(body.filterGroups).toEqual([
      {
        filters: [
          { propertyName: 'createdate', operator: 'BETWEEN', value: String(since.getTime()), highValue: String(before.getTime() - 1) },
          { propertyName: 'hs_pipeline', operator: 'EQ', value: '0' },
        ],
      },
    ]);
    expect(body.limit).toBe(200);
  });

  it('reads the ids, the total and whether there is more', () => {
    expect(readSearchPage({ total: 450, results: [{ id: '1' }, { id: 2 }], paging: { next: { after: '2' } } })).toEqual({ ids: ['1', '2'], total: 450, more: true });
    expect(readSearchPage({ total: 2, results: [{ id: '1' }] })).toEqual({ ids: ['1'], total: 2, more: false });
    expect(readSearchPage({ results: [{}] })).toBeUndefined();
    expect(readSearchPage('<html>')).toBeUndefined();
  });

  it('names the scope a 403 says is missing (by category, not by message), else the capability’s read scope', () => {
    const body = { status: 'error', message: 'This app hasn’t been granted all required scopes', category: 'MISSING_SCOPES', errors: [{ message: 'x', context: { requiredGranularScopes: ['crm.objects.contacts.read'] } }] };
    expect(missingScopesOf(body, 'lead-ai', 'contacts')).toEqual(['crm.objects.contacts.read']);
    expect(missingScopesOf({ category: 'MISSING_SCOPES', errors: [{ context: { requiredGranularScopes: ['tickets', 'crm.objects.tickets.read'] } }] }, 'service-ai', 'tickets')).toEqual(['tickets or crm.objects.tickets.read']);
    expect(missingScopesOf({ message: 'Forbidden' }, 'service-ai', 'tickets')).toEqual(['tickets or crm.objects.tickets.read']);
    expect(readScopeOf('lead-ai', 'contacts')).toBe('crm.objects.contacts.read');
  });
});
