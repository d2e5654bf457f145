import { Client } from '@hubspot/api-client';
import { HubSpotSandbox, type HubSpotSandboxOptions } from './hubspot-sandbox';
import { DeterministicRng } from '../shared/deterministic-rng';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const EMAILS = Array.from({ length: 8 }, (_, i) => `batch${i}@example.com`);

type BatchBody = {
  status: string;
  results: Array<{ id: string; properties: Record<string, string | null>; objectWriteTraceId?: string }>;
  numErrors?: number;
  errors?: Array<{ category: string; context: Record<string, string[]> }>;
};

describe('DeterministicRng.shuffle', () => {
  it('is a permutation that never keeps the input order of two or more items, and repeats for one seed', () => {
    const rng = new DeterministicRng(7);
    for (let n = 0; n <= 12; n += 1) {
      const items = Array.from({ length: n }, (_, i) => ({ i }));
      for (let round = 0; round < 20; round += 1) {
        const shuffled = rng.shuffle(items);
        expect([...shuffled].sort((a, b) => a.i - b.i)).toEqual(items);
        expect(shuffled.every((item) => items.includes(item))).toBe(true);
        if (n >= 2) expect(shuffled).not.toEqual(items);
      }
    }
    const draw = (seed: string): number[][] => {
      const r = new DeterministicRng(seed);
      return Array.from({ length: 5 }, () => r.shuffle([1, 2, 3, 4, 5, 6]));
    };
    expect(draw('a')).toEqual(draw('a'));
    expect(draw('a')).not.toEqual(draw('b'));
  });
});

describe('HubSpotSandbox batch results', () => {
  let sandbox: HubSpotSandbox;
  let url: string;

  const open = async (options: HubSpotSandboxOptions = {}): Promise<void> => {
    sandbox = new HubSpotSandbox({ now: () => T0, ...options });
    ({ url } = await sandbox.start());
    sandbox.addPortal({ portalId: 101, accessToken: 'pat-101' });
  };

  afterEach(async () => {
    await sandbox.stop();
  });

  const call = async (path: string, body: unknown, token = 'pat-101'): Promise<{ status: number; body: BatchBody }> => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as BatchBody };
  };
  const create = (token?: string) =>
    call('/crm/v3/objects/contacts/batch/create', { inputs: EMAILS.map((email, i) => ({ properties: { email }, associations: [], objectWriteTraceId: `t-${i}` })) }, token);
  const emailsOf = (body: BatchBody): Array<string | null | undefined> => body.results.map((r) => r.properties.email);
  const traceIdsOf = (body: BatchBody): Array<string | undefined> => body.results.map((r) => r.objectWriteTraceId);

  describe('by default (v3-reference: HubSpot as documented, strict)', () => {
    beforeEach(() => open());

    it('answers batch create with every input created, in an order other than the input order, and no objectWriteTraceId on results', async () => {
      const { status, body } = await create();
      expect(status).toBe(201);
      expect(emailsOf(body)).not.toEqual(EMAILS);
      expect([...emailsOf(body)].sort()).toEqual([...EMAILS].sort());
      expect(body.results.every((r) => !('objectWriteTraceId' in r))).toBe(true);
      // The results are the stored records all the same.
      for (const r of body.results) expect(sandbox.getObject(101, 'contacts', r.id)?.properties.email).toBe(r.properties.email);
    });

    it('keeps objectWriteTraceId in errors[].context of a 207, and leaves it off the results', async () => {
      const { status, body } = await call('/crm/v3/objects/contacts/batch/create', {
        inputs: [
          { properties: { email: 'ok1@example.com' }, associations: [], objectWriteTraceId: 'ok-1' },
          { properties: { bogus: 'x' }, associations: [], objectWriteTraceId: 'bad-1' },
          { properties: { email: 'ok2@example.com' }, associations: [], objectWriteTraceId: 'ok-2' },
        ],
      });
      expect(status).toBe(207);
      expect([...emailsOf(body)].sort()).toEqual(['ok1@example.com', 'ok2@example.com']);
      expect(traceIdsOf(body)).toEqual([undefined, undefined]);
      expect(body.numErrors).toBe(1);
      expect(body.errors?.[0]?.context.objectWriteTraceId).toEqual(['bad-1']);
    });

    it('shuffles batch read and batch update results too (no trace ids on update results)', async () => {
      const ids = EMAILS.map((email) => sandbox.seedObject(101, 'contacts', { email }).id);
      const read = await call('/crm/v3/objects/contacts/batch/read', { inputs: ids.map((id) => ({ id })), properties: ['email'] });
      expect(read.status).toBe(200);
      expect(read.body.results.map((r) => r.id)).not.toEqual(ids);
      expect(read.body.results.map((r) => r.id).sort()).toEqual([...ids].sort());

      const update = await call('/crm/v3/objects/contacts/batch/update', {
        inputs: ids.map((id, i) => ({ id, properties: { firstname: `F${i}` }, objectWriteTraceId: `u-${i}` })),
      });
      expect(update.status).toBe(200);
      expect(update.body.results.map((r) => r.id)).not.toEqual(ids);
      expect(Object.fromEntries(update.body.results.map((r) => [r.id, r.properties.firstname]))).toEqual(Object.fromEntries(ids.map((id, i) => [id, `F${i}`])));
      expect(traceIdsOf(update.body).every((t) => t === undefined)).toBe(true);

      const partial = await call('/crm/v3/objects/contacts/batch/update', {
        inputs: [
          { id: ids[0], properties: { firstname: 'Fine' }, objectWriteTraceId: 'u-ok' },
          { id: ids[1], properties: { bogus: 'x' }, objectWriteTraceId: 'u-bad' },
        ],
      });
      expect(partial.status).toBe(207);
      expect(partial.body.results.map((r) => [r.id, r.objectWriteTraceId])).toEqual([[ids[0], undefined]]);
      expect(partial.body.errors?.[0]?.context.objectWriteTraceId).toEqual(['u-bad']);
    });

    it('answers through the SDK as well: results to be matched by id or property, not by position', async () => {
      const client = new Client({ accessToken: 'pat-101', basePath: url });
      const res = await client.crm.contacts.batchApi.create({ inputs: EMAILS.slice(0, 3).map((email) => ({ properties: { email }, associations: [] })) });
      expect(res.results.map((r) => r.properties.email)).not.toEqual(EMAILS.slice(0, 3));
      expect(res.results.map((r) => r.properties.email).sort()).toEqual(EMAILS.slice(0, 3));
    });
  });

  it('gives the same order for the same seed and calls, another for another seed', async () => {
    const orders: string[][] = [];
    for (const seed of [42, 42, 43]) {
      await open({ seed });
      orders.push(emailsOf((await create()).body) as string[]);
      await sandbox.stop();
    }
    expect(orders[0]).toEqual(orders[1]);
    expect(orders[0]).not.toEqual(orders[2]);
    await open();
  });

  describe("with batchResults '2026-03-documented'", () => {
    beforeEach(() => open({ batchResults: '2026-03-documented' }));

    it('answers in input order and echoes objectWriteTraceId on create and update results', async () => {
      const created = await create();
      expect(created.status).toBe(201);
      expect(emailsOf(created.body)).toEqual(EMAILS);
      expect(traceIdsOf(created.body)).toEqual(EMAILS.map((_, i) => `t-${i}`));

      const ids = created.body.results.map((r) => r.id);
      const read = await call('/crm/v3/objects/contacts/batch/read', { inputs: ids.map((id) => ({ id })), properties: ['email'] });
      expect(read.body.results.map((r) => r.id)).toEqual(ids);

      const updated = await call('/crm/objects/2026-03/contacts/batch/update', {
        inputs: ids.map((id, i) => ({ id, properties: { firstname: `F${i}` }, objectWriteTraceId: `u-${i}` })),
      });
      expect(updated.body.results.map((r) => [r.id, r.objectWriteTraceId])).toEqual(ids.map((id, i) => [id, `u-${i}`]));
    });
  });

  it('takes the mode per portal: AddPortalInput.batchResults, also through POST /__sandbox/portals', async () => {
    await open();
    sandbox.addPortal({ portalId: 202, accessToken: 'pat-202', batchResults: '2026-03-documented' });
    expect(emailsOf((await create('pat-202')).body)).toEqual(EMAILS);
    expect(emailsOf((await create('pat-101')).body)).not.toEqual(EMAILS);

    const admin = (body: unknown) => fetch(`${url}/__sandbox/portals`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Given again for an existing portal, it replaces that portal's mode.
    expect((await admin({ portalId: 202, accessToken: 'pat-202', batchResults: 'v3-reference' })).status).toBe(201);
    const strict = (await call('/crm/v3/objects/contacts/batch/read', { inputs: sandbox.listObjects(202, 'contacts').map((c) => ({ id: c.id })) }, 'pat-202')).body;
    expect(strict.results.map((r) => r.id)).not.toEqual(sandbox.listObjects(202, 'contacts').map((c) => c.id));
    expect((await admin({ portalId: 303, accessToken: 'pat-303', batchResults: '2026-03-documented' })).status).toBe(201);
    const created303 = await call(
      '/crm/v3/objects/contacts/batch/create',
      { inputs: EMAILS.map((email, i) => ({ properties: { email: `p303-${email}` }, associations: [], objectWriteTraceId: `p-${i}` })) },
      'pat-303',
    );
    expect(traceIdsOf(created303.body)).toEqual(EMAILS.map((_, i) => `p-${i}`));
    expect((await admin({ portalId: 404, accessToken: 'pat-404', batchResults: 'sorted' })).status).toBe(400);
    expect(() => new HubSpotSandbox({ batchResults: 'nope' as never })).toThrow(/batchResults/);
  });
});
