import type { PortalRepository } from '@app/common';
import { FAILED_SECRET_LOOKUP_TTL_MS, MAX_CACHED_PORTAL_SECRETS, NO_PORTAL_SECRET_TTL_MS, PORTAL_SECRET_TTL_MS, PortalSecretCache } from './portal-secret-cache';

const A = 1001;
const UNKNOWN = 9999;

/** The repository double: only credentials.clientSecret, counted per portal. */
function setUp(answer: (portalId: number) => Promise<string | undefined> = async (id) => (id === A ? 'secret-a' : undefined)) {
  let now = 1_700_000_000_000;
  const clientSecret = jest.fn(answer);
  const cache = new PortalSecretCache({ credentials: { clientSecret } } as unknown as PortalRepository, () => new Date(now));
  return { cache, clientSecret, advance: (ms: number) => (now += ms) };
}

const lookUpsOf = (fn: jest.Mock, portalId: number) => fn.mock.calls.filter(([id]) => id === portalId).length;

describe('PortalSecretCache', () => {
  it(`keeps a found secret for ${PORTAL_SECRET_TTL_MS} ms`, async () => {
    const { cache, clientSecret, advance } = setUp();
    expect(await cache.clientSecret(A)).toBe('secret-a');
    advance(PORTAL_SECRET_TTL_MS - 1);
    expect(await cache.clientSecret(A)).toBe('secret-a');
    expect(lookUpsOf(clientSecret, A)).toBe(1);
    advance(1);
    await cache.clientSecret(A);
    expect(lookUpsOf(clientSecret, A)).toBe(2);
  });

  it(`keeps "no secret" only ${NO_PORTAL_SECRET_TTL_MS} ms, so a portal registered a moment ago soon verifies with its own`, async () => {
    let registered = false;
    const { cache, clientSecret, advance } = setUp(async () => (registered ? 'secret-new' : undefined));
    expect(await cache.clientSecret(UNKNOWN)).toBeUndefined();
    registered = true;
    advance(NO_PORTAL_SECRET_TTL_MS - 1);
    expect(await cache.clientSecret(UNKNOWN)).toBeUndefined();
    advance(1);
    expect(await cache.clientSecret(UNKNOWN)).toBe('secret-new');
    expect(clientSecret).toHaveBeenCalledTimes(2);
  });

  it('looks a portal up once for a burst of concurrent requests', async () => {
    const { cache, clientSecret } = setUp();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => cache.clientSecret(i % 2 ? A : UNKNOWN)));
    expect(answers.filter((a) => a === 'secret-a')).toHaveLength(25);
    expect(lookUpsOf(clientSecret, A)).toBe(1);
    expect(lookUpsOf(clientSecret, UNKNOWN)).toBe(1);
  });

  it(`remembers a failed look-up for ${FAILED_SECRET_LOOKUP_TTL_MS} ms (every caller gets the failure), then tries again`, async () => {
    let down = true;
    const { cache, clientSecret, advance } = setUp(async () => {
      if (down) throw new Error('connection refused');
      return 'secret-a';
    });
    await expect(cache.clientSecret(A)).rejects.toThrow('connection refused');
    await expect(cache.clientSecret(A)).rejects.toThrow('connection refused');
    expect(clientSecret).toHaveBeenCalledTimes(1);
    down = false;
    advance(FAILED_SECRET_LOOKUP_TTL_MS);
    expect(await cache.clientSecret(A)).toBe('secret-a');
    expect(clientSecret).toHaveBeenCalledTimes(2);
  });

  it('turns a look-up that throws synchronously into a rejection', async () => {
    const { cache } = setUp(() => {
      throw new Error('no cipher');
    });
    await expect(cache.clientSecret(A)).rejects.toThrow('no cipher');
  });

  it(`holds at most ${MAX_CACHED_PORTAL_SECRETS} portal ids, dropping the oldest`, async () => {
    const { cache, clientSecret } = setUp();
    await cache.clientSecret(A);
    for (let id = 1; id <= MAX_CACHED_PORTAL_SECRETS; id++) if (id !== A) await cache.clientSecret(100_000 + id);
    expect(cache.size()).toBe(MAX_CACHED_PORTAL_SECRETS);
    await cache.clientSecret(UNKNOWN);
    expect(cache.size()).toBe(MAX_CACHED_PORTAL_SECRETS);
    await cache.clientSecret(A); // the oldest was dropped: looked up again
    expect(lookUpsOf(clientSecret, A)).toBe(2);
  });
});

describe('PortalSecretCache, a batch of portals (clientSecrets)', () => {
  const B = 1002;
  const C = 1003;
  const OWN: ReadonlyMap<number, string> = new Map([
    [A, 'secret-a'],
    [B, 'secret-b'],
  ]);

  /** A strict double: one query per batch (credentials.clientSecrets); a single look-up it did not expect fails the test. */
  function setUpBatch(answer: (portalIds: number[]) => Promise<Map<number, string>> = async (ids) => new Map(ids.flatMap((id) => (OWN.has(id) ? [[id, OWN.get(id)!] as const] : [])))) {
    let now = 1_700_000_000_000;
    const clientSecrets = jest.fn(answer);
    const clientSecret = jest.fn(async (portalId: number): Promise<string | undefined> => OWN.get(portalId));
    const cache = new PortalSecretCache({ credentials: { clientSecret, clientSecrets } } as unknown as PortalRepository, () => new Date(now));
    return { cache, clientSecrets, clientSecret, advance: (ms: number) => (now += ms) };
  }
  const queried = (fn: jest.Mock) => fn.mock.calls.map(([ids]) => ids as number[]);

  it('looks the portals up in one query (each id once) and answers only those with a secret of their own', async () => {
    const { cache, clientSecrets, clientSecret } = setUpBatch();
    expect(await cache.clientSecrets([A, UNKNOWN, B, A])).toEqual(new Map([[A, 'secret-a'], [B, 'secret-b']]));
    expect(queried(clientSecrets)).toEqual([[A, UNKNOWN, B]]);
    expect(clientSecret).not.toHaveBeenCalled();
  });

  it('queries nothing for no portals', async () => {
    const { cache, clientSecrets } = setUpBatch();
    expect(await cache.clientSecrets([])).toEqual(new Map());
    expect(clientSecrets).not.toHaveBeenCalled();
  });

  it('caches each portal of a batch as a single look-up would: the next batch queries only the ids not cached, none when all are', async () => {
    const { cache, clientSecrets, clientSecret } = setUpBatch();
    await cache.clientSecrets([A, UNKNOWN]);
    expect(await cache.clientSecret(A)).toBe('secret-a');
    expect(await cache.clientSecret(UNKNOWN)).toBeUndefined();
    expect(clientSecret).not.toHaveBeenCalled();
    expect(await cache.clientSecrets([UNKNOWN, C, A, B])).toEqual(new Map([[A, 'secret-a'], [B, 'secret-b']]));
    expect(await cache.clientSecrets([B, A, C])).toEqual(new Map([[A, 'secret-a'], [B, 'secret-b']]));
    expect(queried(clientSecrets)).toEqual([[A, UNKNOWN], [C, B]]);
  });

  it('uses what single look-ups cached, and keeps each id its own time to live', async () => {
    const { cache, clientSecrets, clientSecret, advance } = setUpBatch();
    await cache.clientSecret(A);
    await cache.clientSecret(UNKNOWN);
    expect(await cache.clientSecrets([A, UNKNOWN])).toEqual(new Map([[A, 'secret-a']]));
    expect(clientSecrets).not.toHaveBeenCalled();
    advance(NO_PORTAL_SECRET_TTL_MS);
    await cache.clientSecrets([A, UNKNOWN]);
    advance(PORTAL_SECRET_TTL_MS - NO_PORTAL_SECRET_TTL_MS - 1);
    await cache.clientSecrets([A, UNKNOWN]);
    advance(1);
    await cache.clientSecrets([A]);
    expect(queried(clientSecrets)).toEqual([[UNKNOWN], [UNKNOWN], [A]]);
    expect(clientSecret).toHaveBeenCalledTimes(2);
  });

  it('shares a look-up still running, single or batched, instead of querying the portal again', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { cache, clientSecrets, clientSecret } = setUpBatch(async (ids) => {
      await held;
      return new Map(ids.flatMap((id) => (OWN.has(id) ? [[id, OWN.get(id)!] as const] : [])));
    });
    const first = cache.clientSecrets([A, UNKNOWN]);
    const single = cache.clientSecret(A);
    const second = cache.clientSecrets([UNKNOWN, B]);
    release();
    expect(await first).toEqual(new Map([[A, 'secret-a']]));
    expect(await single).toBe('secret-a');
    expect(await second).toEqual(new Map([[B, 'secret-b']]));
    expect(queried(clientSecrets)).toEqual([[A, UNKNOWN], [B]]);
    expect(clientSecret).not.toHaveBeenCalled();
  });

  it(`rejects when the query fails, remembers the failure of each portal for ${FAILED_SECRET_LOOKUP_TTL_MS} ms, then tries again`, async () => {
    let down = true;
    const { cache, clientSecrets, clientSecret, advance } = setUpBatch(async (ids) => {
      if (down) throw new Error('connection refused');
      return new Map(ids.flatMap((id) => (OWN.has(id) ? [[id, OWN.get(id)!] as const] : [])));
    });
    await expect(cache.clientSecrets([A, UNKNOWN])).rejects.toThrow('connection refused');
    await expect(cache.clientSecret(A)).rejects.toThrow('connection refused');
    await expect(cache.clientSecrets([UNKNOWN])).rejects.toThrow('connection refused');
    expect(queried(clientSecrets)).toEqual([[A, UNKNOWN]]);
    down = false;
    // One portal's remembered failure fails the batch; the others are looked up (and cached) all the same.
    await expect(cache.clientSecrets([B, A])).rejects.toThrow('connection refused');
    expect(await cache.clientSecret(B)).toBe('secret-b');
    advance(FAILED_SECRET_LOOKUP_TTL_MS);
    expect(await cache.clientSecrets([A, UNKNOWN, B])).toEqual(new Map([[A, 'secret-a'], [B, 'secret-b']]));
    expect(queried(clientSecrets)).toEqual([[A, UNKNOWN], [B], [A, UNKNOWN]]);
    expect(clientSecret).not.toHaveBeenCalled();
  });

  it('turns a query that throws synchronously into a rejection', async () => {
    const { cache } = setUpBatch(() => {
      throw new Error('no cipher');
    });
    await expect(cache.clientSecrets([A, B])).rejects.toThrow('no cipher');
  });

  it(`holds at most ${MAX_CACHED_PORTAL_SECRETS} portal ids, a batch's included, dropping the oldest`, async () => {
    const { cache, clientSecrets } = setUpBatch();
    await cache.clientSecrets([A]);
    await cache.clientSecrets(Array.from({ length: MAX_CACHED_PORTAL_SECRETS - 1 }, (_, i) => 100_000 + i));
    expect(cache.size()).toBe(MAX_CACHED_PORTAL_SECRETS);
    await cache.clientSecrets([UNKNOWN, B]);
    expect(cache.size()).toBe(MAX_CACHED_PORTAL_SECRETS);
    await cache.clientSecrets([A]); // the oldest was dropped: looked up again
    expect(queried(clientSecrets).filter((ids) => ids.includes(A))).toHaveLength(2);
  });
});
