import { collectOwnerIds } from './routing-owner-ids';

describe('collectOwnerIds', () => {
  it('collects every distinct owner id of lead and service routing with the paths that name it', () => {
    expect(
      collectOwnerIds({
        leadRouting: { defaultOwnerId: '11', rules: [{ minScore: 80, ownerId: '12' }, { persona: 'influencer', ownerId: '11' }], followUpHours: 4 },
        serviceRouting: { defaultOwnerId: '21', rules: [{ category: 'billing_issue', teamId: '3' }, { minPriority: 'HIGH', ownerId: '12' }], slaHours: { HIGH: 4 } },
      }),
    ).toEqual([
      { ownerId: '11', paths: ['leadRouting.defaultOwnerId', 'leadRouting.rules[1].ownerId'] },
      { ownerId: '12', paths: ['leadRouting.rules[0].ownerId', 'serviceRouting.rules[1].ownerId'] },
      { ownerId: '21', paths: ['serviceRouting.defaultOwnerId'] },
    ]);
  });

  it('finds none in settings without owners', () => {
    expect(collectOwnerIds({})).toEqual([]);
    expect(collectOwnerIds({ leadRouting: { followUpHours: 24 }, serviceRouting: { rules: [{ teamId: '3' }], slaHours: { LOW: 72 } } })).toEqual([]);
    expect(collectOwnerIds({ serviceRouting: { defaultOwnerId: '' } })).toEqual([]);
  });
});
