import { PortalLifecycle, type AppConfig, type EventStore, type Portal, type PortalRepository } from '@app/common';
import { PortalCache } from './portal-cache';

describe('PortalCache', () => {
  const portal = { portalId: 5, name: 'Acme', status: 'active' } as Portal;

  it('caches an unknown portal, and forgets it once the portal is recorded in this process (a webhook right after the install is not ignored)', async () => {
    let registered = false;
    const findMany = jest.fn(async () => (registered ? [portal] : []));
    const appendAll = jest.fn(async () => ({ kind: 'committed', results: [] }));
    const lifecycle = new PortalLifecycle({ appendAll } as unknown as EventStore);
    const cache = new PortalCache({ findMany } as unknown as PortalRepository, { portalCacheMs: 60_000 } as AppConfig, () => new Date(), lifecycle);

    expect((await cache.lookUp([5])).size).toBe(0);
    expect((await cache.lookUp([5])).size).toBe(0);
    expect(findMany).toHaveBeenCalledTimes(1);

    registered = true;
    await lifecycle.record(5, []);
    expect((await cache.lookUp([5])).get(5)).toBe(portal);
    expect(findMany).toHaveBeenCalledTimes(2);
  });
});
