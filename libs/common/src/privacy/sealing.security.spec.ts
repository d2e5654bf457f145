import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { PERSONAL_FIELDS, defaultSubjects, personalFieldsOf } from './personal-fields';
import { erasedView, isErased, joinPersonal, openPart, sealedAad, sealPart, SealedPartError, splitPersonal } from './sealing';

const key = (keyId: string) => ({ keyId, key: randomBytes(32) });

describe('sealing personal fields (docs/decisions/0019)', () => {
  it('splits the personal fields off a payload without touching the caller’s object, and joins them back', () => {
    const data = { objectType: 'contacts', objectId: '5', snapshot: { email: 'jane@doe.example' }, hubspotStatus: 200 };
    const split = splitPersonal(data, PERSONAL_FIELDS.ContextFetched)!;
    expect(split.clear).toEqual({ objectType: 'contacts', objectId: '5', hubspotStatus: 200 });
    expect(split.personal).toEqual({ snapshot: { email: 'jane@doe.example' } });
    expect(data.snapshot).toEqual({ email: 'jane@doe.example' });
    expect(joinPersonal(split.clear, split.personal)).toEqual(data);
  });

  it('seals a nested field (a webhook’s property value) and keeps a map’s keys readable with null values', () => {
    const received = splitPersonal({ subscriptionType: 'contact.propertyChange', hubspot: { propertyName: 'email', propertyValue: 'jane@doe.example', objectId: 5 } }, PERSONAL_FIELDS.WebhookEventReceived)!;
    expect(received.clear).toEqual({ subscriptionType: 'contact.propertyChange', hubspot: { propertyName: 'email', objectId: 5 } });
    const changed = splitPersonal({ objectType: 'contacts', properties: { email: 'jane@doe.example', firstname: 'Jane' } }, PERSONAL_FIELDS.ObjectChanged)!;
    expect(changed.clear).toEqual({ objectType: 'contacts', properties: { email: null, firstname: null } });
    expect(joinPersonal(changed.clear, changed.personal)).toEqual({ objectType: 'contacts', properties: { email: 'jane@doe.example', firstname: 'Jane' } });
  });

  it('leaves a payload with no personal field as it is (a creation webhook, a skipped trigger)', () => {
    expect(splitPersonal({ subscriptionType: 'contact.creation', hubspot: { objectId: 5 } }, PERSONAL_FIELDS.WebhookEventReceived)).toBeUndefined();
    expect(splitPersonal({ reason: 'no handler' }, PERSONAL_FIELDS.TriggerSkipped)).toBeUndefined();
    expect(personalFieldsOf('toString')).toEqual([]);
  });

  it('opens only with every key it was sealed with, in its own event: one destroyed key makes it unreadable', () => {
    const ticket = key('11111111-1111-4111-8111-111111111111');
    const contact = key('22222222-2222-4222-8222-222222222222');
    const aad = sealedAad(7, 'e1');
    const part = sealPart({ snapshot: { 'contacts.1.email': 'jane@doe.example' } }, [contact, ticket], aad);
    expect(part.keys).toEqual([ticket.keyId, contact.keyId]);
    expect(JSON.stringify(part)).not.toContain('jane');
    expect(openPart(part, [ticket, contact], aad)).toEqual({ snapshot: { 'contacts.1.email': 'jane@doe.example' } });
    expect(() => openPart(part, [ticket], aad)).toThrow(SealedPartError);
    expect(() => openPart(part, [ticket, { ...contact, key: randomBytes(32) }], aad)).toThrow(SealedPartError);
    // Copied into another event, or another portal's: refused.
    expect(() => openPart(part, [ticket, contact], sealedAad(7, 'e2'))).toThrow(SealedPartError);
    expect(() => openPart(part, [ticket, contact], sealedAad(8, 'e1'))).toThrow(SealedPartError);
  });

  it('seals for more subjects than HKDF’s 1,024-byte info can name (a digest quoting hundreds of deals), each key still needed', () => {
    const keys = Array.from({ length: 400 }, (_, i) => key(`${String(i).padStart(8, '0')}-1111-4111-8111-111111111111`));
    const aad = sealedAad(7, 'digest');
    const part = sealPart({ owners: [{ summary: 'call Jane' }] }, keys, aad);
    expect(openPart(part, keys, aad)).toEqual({ owners: [{ summary: 'call Jane' }] });
    expect(() => openPart(part, keys.slice(1), aad)).toThrow(SealedPartError);
    expect(() => openPart(part, [...keys.slice(0, -1), { ...keys[keys.length - 1]!, key: randomBytes(32) }], aad)).toThrow(SealedPartError);
  });

  it('still opens a part sealed for a few subjects before long key lists were hashed (the info names the key ids)', () => {
    const keys = [key('11111111-1111-4111-8111-111111111111'), key('22222222-2222-4222-8222-222222222222')];
    const aad = sealedAad(7, 'old');
    const contentKey = Buffer.from(hkdfSync('sha256', Buffer.concat(keys.map((k) => k.key)), Buffer.alloc(0), Buffer.from(`hubspot-ai/sealed/v1/${keys.map((k) => k.keyId).join(',')}`), 32));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', contentKey, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(JSON.stringify({ a: 1 }), 'utf8'), cipher.final()]);
    const part = { v: 1 as const, fields: ['a'], keys: keys.map((k) => k.keyId), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
    expect(openPart(part, keys, aad)).toEqual({ a: 1 });
  });

  it('shows an erased payload as its clear fields and a marker', () => {
    const view = erasedView({ objectId: '5', sealed: { v: 1 } }, { fields: ['snapshot'], subjects: ['contacts:5'], at: '2026-12-01T00:00:00.000Z', reason: 'privacy-deletion' });
    expect(view).toEqual({ objectId: '5', erased: { fields: ['snapshot'], subjects: ['contacts:5'], at: '2026-12-01T00:00:00.000Z', reason: 'privacy-deletion' } });
    expect(isErased(view)).toBe(true);
  });

  it('knows whose data an event holds when its producer does not say', () => {
    expect(defaultSubjects({ data: {} }, 'crm-7-contacts-123')).toEqual(['contacts:123']);
    expect(defaultSubjects({ data: { original: { objectType: 'tickets', objectId: '9' } } }, 'replay-7-abc')).toEqual(['tickets:9']);
    expect(defaultSubjects({ data: { raw: {} } }, 'webhook-rejections-7')).toEqual(['portal']);
  });

  it('classifies the events that hold real personal data', () => {
    const sealed = Object.entries(PERSONAL_FIELDS).filter(([, fields]) => fields.length > 0).map(([type]) => type).sort();
    expect(sealed).toEqual(
      [
        // An operator's search filter may name a person (email EQ …): docs/decisions/0021.
        'BackfillRequested',
        'ContextFetched',
        'DecisionFailed',
        'DecisionMade',
        'DecisionReplayFailed',
        'DecisionReplayed',
        'HubSpotCallCompleted',
        'ObjectChanged',
        // The day's digests quote the deals' next steps and summaries (real names restored).
        'PipelineDigestComposed',
        'WebhookEventIgnored',
        'WebhookEventReceived',
        'WebhookEventRejected',
        'WorkflowWebhookReceived',
        'WritebackApplied',
        'WritebackFailed',
        'WritebackRequested',
      ].sort(),
    );
  });
});
