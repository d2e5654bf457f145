import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppConfig, CLOCK, EventStore, PortalRepository, TokenCipher } from '@app/common';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { TEST_ADMIN_KEY, TEST_TOKEN_KEY, testConfig } from '../../../../test/support/platform';
import { AdminModule } from './admin.module';

describe('admin API (real Postgres)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    db = await createTestDatabase('admin');
    const config = testConfig('ingest', db.url, 'unused');
    const moduleRef = await Test.createTestingModule({
      imports: [
        AdminModule.withShared([
          { provide: AppConfig, useValue: config },
          { provide: PortalRepository, useValue: new PortalRepository(db.dataSource, new TokenCipher(config.tokenEncryptionKey!)) },
          { provide: EventStore, useValue: new EventStore(db.dataSource) },
          { provide: CLOCK, useValue: () => new Date() },
        ]),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const post = (body: unknown, headers: Record<string, string> = auth) => fetch(`${url}/admin/portals`, { method: 'POST', headers, body: JSON.stringify(body) });

  it('registers a portal (201), keeps its token encrypted at rest and never returns it', async () => {
    const response = await post({ portalId: 123, name: 'Acme Realty', accessToken: 'pat-na1-very-secret' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ portalId: 123, name: 'Acme Realty', status: 'active' });
    expect(JSON.stringify(body)).not.toContain('pat-na1');

    const [row] = await db.dataSource.query('SELECT access_token_encrypted FROM portals WHERE portal_id = 123');
    expect(row.access_token_encrypted).not.toContain('pat-na1');
    expect(new TokenCipher(Buffer.from(TEST_TOKEN_KEY, 'base64')).decrypt(row.access_token_encrypted, 123)).toBe('pat-na1-very-secret');

    const fetched = await fetch(`${url}/admin/portals/123`, { headers: auth });
    expect(fetched.status).toBe(200);
    const portal = (await fetched.json()) as Record<string, unknown>;
    expect(portal).toMatchObject({ portalId: 123, name: 'Acme Realty' });
    expect(Object.keys(portal)).not.toContain('accessToken');
    expect(JSON.stringify(portal)).not.toMatch(/pat-na1|v1:/);

    const [registered] = await db.dataSource.query(`SELECT type FROM events WHERE stream_id = 'portal-123'`);
    expect(registered.type).toBe('PortalRegistered');
  });

  it('answers 409 when the portal exists', async () => {
    await post({ portalId: 124, name: 'One', accessToken: 't1' });
    const again = await post({ portalId: 124, name: 'Two', accessToken: 't2' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toBe('portal 124 is already registered');
  });

  it('answers 400 with every reason for bad input', async () => {
    const response = await post({ portalId: 'abc', name: '', extra: true });
    expect(response.status).toBe(400);
    const { message } = (await response.json()) as { message: string[] };
    expect(message).toEqual(expect.arrayContaining([
      'portalId must be an integer (the HubSpot hub id)',
      'name should not be empty',
      'accessToken is required (private app token or OAuth access token)',
      'property extra should not exist',
    ]));
  });

  it('updates enabled subscriptions and the workflow key; the key is stored only as a hash and never shown', async () => {
    await post({ portalId: 125, name: 'Settings Co', accessToken: 't' });
    const response = await fetch(`${url}/admin/portals/125`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ enabledSubscriptions: ['contact.creation', 'ticket.creation'], workflowApiKey: 'a-long-workflow-key-0123456789', status: 'paused' }),
    });
    expect(response.status).toBe(200);
    const portal = (await response.json()) as { status: string; settings: Record<string, unknown> };
    expect(portal).toMatchObject({ status: 'paused', settings: { enabledSubscriptions: ['contact.creation', 'ticket.creation'], workflowApiKeySet: true } });
    expect(JSON.stringify(portal)).not.toContain('a-long-workflow-key');
    const [row] = await db.dataSource.query(`SELECT settings FROM portals WHERE portal_id = 125`);
    expect(row.settings.workflowApiKeySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row.settings)).not.toContain('a-long-workflow-key');

    const invalid = await fetch(`${url}/admin/portals/125`, { method: 'PATCH', headers: auth, body: JSON.stringify({ enabledSubscriptions: ['bad type'], status: 'gone', workflowApiKey: 'short' }) });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { message: string[] }).message).toEqual(expect.arrayContaining([
      'each enabled subscription must look like contact.creation',
      'workflowApiKey must be at least 24 characters',
    ]));
    expect((await fetch(`${url}/admin/portals/999/`, { method: 'PATCH', headers: auth, body: '{}' })).status).toBe(404);
  });

  it('answers 404 for an unknown portal and 400 for a non-numeric id', async () => {
    expect((await fetch(`${url}/admin/portals/999`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${url}/admin/portals/abc`, { headers: auth })).status).toBe(400);
  });

  it('answers 401 without the admin key or with a wrong one', async () => {
    expect((await post({ portalId: 1, name: 'x', accessToken: 'y' }, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post({ portalId: 1, name: 'x', accessToken: 'y' }, { ...auth, authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await fetch(`${url}/admin/portals/123`)).status).toBe(401);
  });
});
