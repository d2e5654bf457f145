import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { Keyring } from '../crypto/keyring';
import { PortalRepository } from '../portals/portal.repository';
import { TokenCipher } from '../portals/token-cipher';

/** Several portals' private-app client secrets in one query (ingest verifies mixed-portal batches with them). */
describe('PortalCredentials.clientSecrets (real Postgres)', () => {
  let db: TestDatabase;
  let portals: PortalRepository;
  const A = 81001;
  const B = 81002;
  const PUBLIC_PORTAL = 81003;
  const UNKNOWN = 89999;
  const SECRET_A = 'private-app-secret-a-81001';
  const SECRET_B = 'private-app-secret-b-81002';

  beforeAll(async () => {
    db = await createTestDatabase('credsecrets');
    portals = new PortalRepository(db.dataSource, new TokenCipher(Keyring.single(randomBytes(32))));
    await portals.register({ portalId: A, name: 'Private A', accessToken: 'pat-a', secrets: { mode: 'private-app', clientSecret: SECRET_A, appId: 701 } });
    await portals.register({ portalId: B, name: 'Private B', accessToken: 'pat-b', secrets: { mode: 'private-app', clientSecret: SECRET_B, appId: 702 } });
    await portals.register({ portalId: PUBLIC_PORTAL, name: 'Public', accessToken: 'pat-public' });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('answers the portals with a secret of their own, decrypted, in one query; none for the others', async () => {
    const query = jest.spyOn(db.dataSource, 'query');
    try {
      expect(await portals.credentials.clientSecrets([PUBLIC_PORTAL, A, UNKNOWN, B])).toEqual(new Map([[A, SECRET_A], [B, SECRET_B]]));
      expect(query).toHaveBeenCalledTimes(1);
    } finally {
      query.mockRestore();
    }
    expect(await portals.credentials.clientSecrets([PUBLIC_PORTAL, UNKNOWN])).toEqual(new Map());
  });

  it('queries nothing for no portals', async () => {
    const query = jest.spyOn(db.dataSource, 'query');
    try {
      expect(await portals.credentials.clientSecrets([])).toEqual(new Map());
      expect(query).not.toHaveBeenCalled();
    } finally {
      query.mockRestore();
    }
  });

  it("agrees with the single look-up, and never opens one portal's ciphertext as another's", async () => {
    expect(await portals.credentials.clientSecret(A)).toBe(SECRET_A);
    const [row] = (await db.dataSource.query('SELECT client_secret_encrypted FROM portal_credentials WHERE portal_id = $1', [A])) as Array<{ client_secret_encrypted: string }>;
    await db.dataSource.query('UPDATE portal_credentials SET client_secret_encrypted = $2 WHERE portal_id = $1', [B, row!.client_secret_encrypted]);
    await expect(portals.credentials.clientSecrets([A, B])).rejects.toThrow();
    await expect(portals.credentials.clientSecret(B)).rejects.toThrow();
  });
});
