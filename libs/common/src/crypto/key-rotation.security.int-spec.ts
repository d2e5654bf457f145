import { randomBytes, randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { legacyCiphertext } from '../../../../test/support/keyring';
import { uniquePrefix } from '../../../../test/support/kafka';
import { memoryLogger } from '../../../../test/support/logger';
import { testConfig } from '../../../../test/support/platform';
import { OutboxRelay } from '../event-store/outbox-relay';
import { PlatformModule } from '../platform/platform.module';
import { PortalRepository } from '../portals/portal.repository';
import { subjectKeyContext } from '../privacy/subject-keys';
import { TokenCipher } from '../portals/token-cipher';
import { assertStoredKeysConfigured, MissingKeysError, reencryptAll, storedKeyUsage } from './key-rotation';
import { Keyring, UnknownKeyError } from './keyring';

const legacyKey = randomBytes(32);
const k2 = randomBytes(32);
const oldRing = Keyring.single(legacyKey); // what the services ran with before: TOKEN_ENCRYPTION_KEY
const newRing = new Keyring(
  [
    { id: 'k2', key: k2 },
    { id: 'legacy', key: legacyKey },
  ],
  'k2',
);

describe('keys:rotate and the boot check (security, real Postgres)', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase('keyring');
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await db.drop();
  });

  /** Portals 1..n: odd ones stored before key ids (v1), even ones in v2 under "legacy". */
  async function seed(n: number): Promise<void> {
    const old = new PortalRepository(db.dataSource, new TokenCipher(oldRing));
    for (let id = 1; id <= n; id += 1) {
      await old.register({ portalId: id, name: `Portal ${id}`, accessToken: `pat-${id}` });
      if (id % 2 === 1) await db.dataSource.query('UPDATE portal_credentials SET access_token_encrypted = $2 WHERE portal_id = $1', [id, legacyCiphertext(legacyKey, `pat-${id}`, id)]);
    }
  }

  const stored = async (): Promise<Map<number, string>> =>
    new Map((await db.dataSource.query('SELECT portal_id, access_token_encrypted FROM portal_credentials ORDER BY portal_id')).map((r: { portal_id: string; access_token_encrypted: string }) => [Number(r.portal_id), r.access_token_encrypted]));

  async function expectTokens(ring: Keyring, expected: Record<number, string>): Promise<void> {
    const portals = new PortalRepository(db.dataSource, new TokenCipher(ring));
    for (const [id, token] of Object.entries(expected)) expect(await portals.accessToken(Number(id))).toBe(token);
  }

  const tokens = (n: number): Record<number, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [i + 1, `pat-${i + 1}`]));

  it('re-encrypts every row (old format and old key) to the active key, in batches; the tokens are unchanged', async () => {
    await seed(7);
    expect((await storedKeyUsage(db.dataSource)).find((u) => u.keyId === 'legacy')?.rows).toBe(7);
    const batches: number[] = [];
    const report = await reencryptAll(db.dataSource, newRing, { batchSize: 3, onBatch: (p) => void batches.push(p.reencrypted) });

    expect(batches).toEqual([3, 3, 1]);
    expect(report.columns[0]).toEqual({ column: 'portal_credentials.access_token_encrypted', examined: 7, reencrypted: 7, changedMeanwhile: 0, failed: [] });
    for (const value of (await stored()).values()) expect(value).toMatch(/^v2:k2:/);
    expect(await storedKeyUsage(db.dataSource)).toEqual([{ column: 'portal_credentials.access_token_encrypted', keyId: 'k2', rows: 7 }]);
    // The old key can go: a keyring of k2 alone reads every token.
    await expectTokens(new Keyring([{ id: 'k2', key: k2 }], 'k2'), tokens(7));
  });

  it('is idempotent: a second run reads nothing and writes nothing', async () => {
    await seed(4);
    await reencryptAll(db.dataSource, newRing, { batchSize: 2 });
    const before = await stored();
    const second = await reencryptAll(db.dataSource, newRing, { batchSize: 2 });
    expect(second.columns[0]).toMatchObject({ examined: 0, reencrypted: 0 });
    expect(await stored()).toEqual(before);
  });

  it('is resumable: interrupted after a batch, the next run does the rest and leaves the done rows alone', async () => {
    await seed(5);
    await expect(
      reencryptAll(db.dataSource, newRing, {
        batchSize: 2,
        onBatch: () => {
          throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const half = await stored();
    expect([...half.values()].filter((v) => v.startsWith('v2:k2:'))).toHaveLength(2);

    const resumed = await reencryptAll(db.dataSource, newRing, { batchSize: 2 });
    expect(resumed.columns[0]).toMatchObject({ examined: 3, reencrypted: 3 });
    const after = await stored();
    for (const [id, value] of half) if (value.startsWith('v2:k2:')) expect(after.get(id)).toBe(value);
    await expectTokens(newRing, tokens(5));
  });

  it('never overwrites a token replaced while its batch was being re-encrypted', async () => {
    await seed(4);
    const admin = new PortalRepository(db.dataSource, new TokenCipher(newRing));
    const report = await reencryptAll(db.dataSource, newRing, {
      batchSize: 10,
      beforeWrite: async () => {
        await admin.replaceAccessToken(2, 'pat-2-new');
      },
    });
    expect(report.columns[0]).toMatchObject({ examined: 4, reencrypted: 3, changedMeanwhile: 1 });
    await expectTokens(newRing, { ...tokens(4), 2: 'pat-2-new' });
  });

  it('a token replaced meanwhile by an instance still on the old key is left alone, and taken by the next run', async () => {
    await seed(3);
    const lagging = new PortalRepository(db.dataSource, new TokenCipher(oldRing));
    const first = await reencryptAll(db.dataSource, newRing, { beforeWrite: () => lagging.replaceAccessToken(3, 'pat-3-new') });
    expect(first.columns[0]).toMatchObject({ reencrypted: 2, changedMeanwhile: 1 });
    expect((await stored()).get(3)).toMatch(/^v2:legacy:/);
    const second = await reencryptAll(db.dataSource, newRing);
    expect(second.columns[0]).toMatchObject({ examined: 1, reencrypted: 1 });
    await expectTokens(newRing, { ...tokens(3), 3: 'pat-3-new' });
  });

  it('a settings change racing the rotation does not write the old ciphertext back', async () => {
    await seed(1);
    const portals = new PortalRepository(db.dataSource, new TokenCipher(newRing));
    // Settings are portal events applied to the portals row; the token lives in portal_credentials, which they never write.
    await Promise.all([reencryptAll(db.dataSource, newRing), portals.updateSettings(1, { name: 'Renamed' })]);
    expect((await portals.find(1))?.name).toBe('Renamed');
    expect((await stored()).get(1)).toMatch(/^v2:k2:/);
    await expectTokens(newRing, { 1: 'pat-1' });
  });

  it('reports a row that does not decrypt by id (never its value) and still rotates the others', async () => {
    await seed(3);
    // Portal 2's row holds portal 1's ciphertext: bound to portal 1, it must not decrypt as portal 2's.
    await db.dataSource.query('UPDATE portal_credentials SET access_token_encrypted = (SELECT access_token_encrypted FROM portal_credentials WHERE portal_id = 1) WHERE portal_id = 2');
    const report = await reencryptAll(db.dataSource, newRing);
    expect(report.columns[0]).toMatchObject({ examined: 3, reencrypted: 2, failed: [{ id: '2', reason: expect.stringMatching(/does not decrypt/) }] });
    expect(JSON.stringify(report)).not.toContain('pat-');
  });

  it('skips erased (empty) values', async () => {
    await seed(2);
    await db.dataSource.query(`UPDATE portal_credentials SET access_token_encrypted = '' WHERE portal_id = 1`);
    const report = await reencryptAll(db.dataSource, newRing);
    expect(report.columns[0]).toMatchObject({ examined: 1, reencrypted: 1, failed: [] });
    expect((await stored()).get(1)).toBe('');
  });

  it('re-encrypts the wrapped per-subject data keys too; an erased key stays erased, even when erased meanwhile', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const keys = ids.map(() => randomBytes(32));
    for (const [i, id] of ids.entries()) {
      await db.dataSource.query(`INSERT INTO subject_keys (key_id, portal_id, subject, day, wrapped_key) VALUES ($1, 1, $2, '2026-12-01', $3)`, [id, `contact:${i}`, oldRing.encrypt(keys[i]!, subjectKeyContext(id))]);
    }
    await db.dataSource.query(`INSERT INTO subject_keys (key_id, portal_id, subject, day, wrapped_key, erased_at, erased_reason) VALUES ($1, 1, 'contact:9', '2026-12-01', NULL, now(), 'erasure')`, [randomUUID()]);
    const report = await reencryptAll(db.dataSource, newRing, {
      beforeWrite: async (column) => {
        if (column === 'subject_keys.wrapped_key') {
          await db.dataSource.query(`UPDATE subject_keys SET wrapped_key = NULL, erased_at = now(), erased_reason = 'erasure' WHERE key_id = $1`, [ids[2]]);
        }
      },
    });
    expect(report.columns.find((c) => c.column === 'subject_keys.wrapped_key')).toMatchObject({ examined: 3, reencrypted: 2, changedMeanwhile: 1, failed: [] });
    const rows: Array<{ key_id: string; wrapped_key: string | null }> = await db.dataSource.query('SELECT key_id::text, wrapped_key FROM subject_keys');
    const byId = new Map(rows.map((r) => [r.key_id, r.wrapped_key]));
    expect(byId.get(ids[2]!)).toBeNull();
    expect(rows.filter((r) => r.wrapped_key === null)).toHaveLength(2);
    for (const i of [0, 1]) {
      expect(byId.get(ids[i]!)).toMatch(/^v2:k2:/);
      expect(newRing.decryptBytes(byId.get(ids[i]!)!, subjectKeyContext(ids[i]!))).toEqual(keys[i]);
    }
  });

  describe('a stored key id without a configured key', () => {
    const onlyK2 = new Keyring([{ id: 'k2', key: k2 }], 'k2');

    it('fails the check with one error naming every missing key id', async () => {
      await seed(3);
      const underK9 = new Keyring([{ id: 'k9', key: randomBytes(32) }], 'k9');
      await new PortalRepository(db.dataSource, new TokenCipher(underK9)).register({ portalId: 99, name: 'Other', accessToken: 'pat-99' });
      const error: unknown = await assertStoredKeysConfigured(db.dataSource, onlyK2).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingKeysError);
      expect((error as MissingKeysError).message).toMatch(/key ids that are not configured: "k9" \(1 row in portal_credentials\.access_token_encrypted\), "legacy" \(3 rows in portal_credentials\.access_token_encrypted\)/);
      expect((error as MissingKeysError).message).toContain('TOKEN_ENCRYPTION_KEYS');
      await expect(assertStoredKeysConfigured(db.dataSource, new Keyring([...['k2', 'legacy', 'k9'].map((id) => ({ id, key: randomBytes(32) }))], 'k2'))).resolves.toBeDefined();
    });

    it('keys:rotate refuses to start', async () => {
      await seed(2);
      await expect(reencryptAll(db.dataSource, onlyK2)).rejects.toThrow(MissingKeysError);
      expect([...(await stored()).values()].every((v) => !v.startsWith('v2:k2:'))).toBe(true);
    });

    it('a service refuses to boot, naming the missing key, before it consumes or serves anything', async () => {
      await seed(2);
      const config = testConfig('writer', db.url, uniquePrefix('keyring'), { TOKEN_ENCRYPTION_KEY: '', TOKEN_ENCRYPTION_KEYS: `k2:${k2.toString('base64')}` });
      const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config, 'writer', memoryLogger().logger)] }).compile();
      try {
        await expect(moduleRef.init()).rejects.toThrow(/key id that is not configured: "legacy" \(2 rows in portal_credentials\.access_token_encrypted\)/);
        expect(moduleRef.get(OutboxRelay)['running' as never]).toBe(false); // the relay never started
      } finally {
        // A failed init cannot be closed through Nest (close awaits it): the process exits; here, release Postgres.
        await moduleRef.get(DataSource).destroy();
      }
    });

    it('a service with the key boots', async () => {
      await seed(2);
      const config = testConfig('writer', db.url, uniquePrefix('keyring'), { TOKEN_ENCRYPTION_KEY: legacyKey.toString('base64'), TOKEN_ENCRYPTION_KEYS: `k2:${k2.toString('base64')}`, TOKEN_ENCRYPTION_ACTIVE_KEY: 'k2' });
      const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config, 'writer', memoryLogger().logger)] }).compile();
      try {
        await moduleRef.init();
        const portals = moduleRef.get(PortalRepository);
        expect(await portals.accessToken(1)).toBe('pat-1');
        await portals.replaceAccessToken(1, 'pat-1b');
        expect((await stored()).get(1)).toMatch(/^v2:k2:/);
      } finally {
        await moduleRef.close();
      }
    });

    it('reading a token under a missing key names the key', async () => {
      await seed(1);
      await expect(new PortalRepository(db.dataSource, new TokenCipher(onlyK2)).accessToken(1)).rejects.toThrow(UnknownKeyError);
    });
  });
});
