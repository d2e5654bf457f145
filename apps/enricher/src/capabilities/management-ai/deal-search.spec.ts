import { openDealsSearchBody, readDealPage } from './deal-search';

describe('openDealsSearchBody', () => {
  it('asks for open deals by id ascending, 200 at a time, never with after', () => {
    const body = openDealsSearchBody({}, null);
    expect(body).toMatchObject({
      filterGroups: [{ filters: [{ propertyName: 'hs_is_closed', operator: 'EQ', value: 'false' }] }],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      limit: 200,
    });
    expect(body).not.toHaveProperty('after');
    expect(body.properties).toEqual(expect.arrayContaining(['dealstage', 'amount', 'closedate', 'hubspot_owner_id', 'notes_last_contacted', 'hs_next_step']));
  });

  it('goes on above the last id seen, in the chosen pipelines only', () => {
    const body = openDealsSearchBody({ pipelines: ['default', '42'] }, '9000', 500);
    expect(body.filterGroups).toEqual([
      {
        filters: [
          { propertyName: 'hs_is_closed', operator: 'EQ', value: 'false' },
          { propertyName: 'pipeline', operator: 'IN', values: ['default', '42'] },
          { propertyName: 'hs_object_id', operator: 'GT', value: '9000' },
        ],
      },
    ]);
    expect(body.limit).toBe(200);
  });
});

describe('readDealPage', () => {
  it('reads ids, properties (null for empty) and whether more follow', () => {
    const page = readDealPage({ total: 3, results: [{ id: '1', properties: { amount: '5', closedate: null } }, { id: 2, properties: {} }], paging: { next: { after: '2' } } });
    expect(page).toEqual({ deals: [{ id: '1', properties: { amount: '5', closedate: null } }, { id: '2', properties: {} }], total: 3, more: true });
  });

  it('an answer of another shape is undefined', () => {
    expect(readDealPage({ results: [{ name: 'x' }] })).toBeUndefined();
    expect(readDealPage('oops')).toBeUndefined();
  });
});
