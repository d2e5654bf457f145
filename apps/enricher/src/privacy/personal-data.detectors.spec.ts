import { findPersonalData, type PersonalDataKind } from './personal-data.detectors';

const found = (text: string) => findPersonalData(text).map((f) => [f.kind, text.slice(f.start, f.end)] as [PersonalDataKind, string]);

describe('findPersonalData', () => {
  it.each([
    ['ADDRESS', 'Ship it to 1200 Market St., please', '1200 Market St.'],
    ['ADDRESS', 'Office: 25 First Street NW, Washington', '25 First Street NW'],
    ['ADDRESS', 'Bitte an Hauptstraße 12 senden', 'Hauptstraße 12'],
    ['ADDRESS', 'Lieferung: Berliner Str. 5a', 'Berliner Str. 5a'],
    ['ADDRESS', 'Treffpunkt Am Markt 3 um zehn', 'Am Markt 3'],
    ['ADDRESS', 'Adresse : 12 rue de la Paix, Paris', '12 rue de la Paix'],
    ['ADDRESS', 'au 45, avenue Victor Hugo', '45, avenue Victor Hugo'],
    ['ADDRESS', 'Dirección: C/ Alcalá 200, 3º B', 'C/ Alcalá 200, 3º B'],
    ['ADDRESS', 'Locatie: Wilhelminakade 374-II', 'Wilhelminakade 374-II'],
    ['ADDRESS', 'Adres: Laan van Meerdervoort 55', 'Laan van Meerdervoort 55'],
    ['ADDRESS', 'Rua Garrett 194, 2.º Esq. · Braga', 'Rua Garrett 194, 2.º Esq.'],
    ['ADDRESS', 'Domicilio: Cra. 5 #60-31, Medellín', 'Cra. 5 #60-31'],
    ['ADDRESS', 'Mail to P.O. Box 1234', 'P.O. Box 1234'],
    ['POSTCODE', 'San Francisco, CA 94107', '94107'],
    ['POSTCODE', 'London SW1A 1AA', 'SW1A 1AA'],
    ['POSTCODE', 'Toronto, ON M4W 0X6', 'M4W 0X6'],
    ['POSTCODE', 'Dublin 4, D04 H0H6', 'D04 H0H6'],
    ['POSTCODE', 'Parramatta NSW 2150', '2150'],
    ['IBAN', 'IBAN DE89 3704 0044 0532 0130 00 please', 'DE89 3704 0044 0532 0130 00'],
    ['CARD', 'card 4111-1111-1111-1111 exp 12/27', '4111-1111-1111-1111'],
    ['CARD', 'Aaron: 4692639936378439 8/30', '4692639936378439'],
    ['SSN', 'SSN: 123-45-6789', '123-45-6789'],
    ['DOB', 'DOB: 03/14/1985', '03/14/1985'],
    ['DOB', 'geboren am 14. März 1985', '14. März 1985'],
    ['DOB', 'fecha de nacimiento: 14 de marzo de 1985', '14 de marzo de 1985'],
    ['IP', 'from 203.0.113.7 at night', '203.0.113.7'],
    ['IP', 'v6 2001:db8::8a2e:370:7334 too', '2001:db8::8a2e:370:7334'],
    ['PHONE', 'Mobil: 0176 / 16805348', '0176 / 16805348'],
    ['PHONE', 'tel. +48 58 236 42 87', '+48 58 236 42 87'],
    ['PHONE', 'appelez le 06.31.61.46.48', '06.31.61.46.48'],
    ['EMAIL', 'write to jane.doe+crm@acme.co.uk today', 'jane.doe+crm@acme.co.uk'],
    ['NAME', 'Best regards,\nPriya Raman\nHead of Ops', 'Priya Raman'],
    ['NAME', 'From: Tom Lee <tom@x.io>', 'Tom Lee'],
    ['NAME', 'Hola Carmen, gracias', 'Carmen'],
    ['NAME', 'Please ask Dr. Anna Müller', 'Anna Müller'],
    ['NAME', 'Gatekeeper is Zhiwei Liu (procurement)', 'Zhiwei Liu'],
    ['NAME', 'ping Saskia van der Berg about it', 'Saskia van der Berg'],
  ] as const)('finds %s in %j', (kind, text, value) => {
    expect(found(text)).toContainEqual([kind, value]);
  });

  it('leaves ordinary figures and words alone: amounts, dates, order and register numbers, versions, companies, cities', () => {
    for (const text of [
      'We paid €12,500 on 03/12/2026 for 1.250.000 units at 10:30.',
      'Order #100234, INV-2026-0042, RFP 2026-577, ticket 2026-000123, build v2.14.3.1',
      'RCS Nancy 739 864 491, SIRET 340 646 604 00496, VAT GB123456789',
      'Will you send it? Mark the date. Can we meet on Wednesday in San Francisco?',
      'Juniper Learning and Kestrel Health open an office in New York and Portland, OR.',
      'Room 204, Building 3, Floor 12. Booking 385873 (3 nights).',
    ]) {
      expect({ text, found: found(text) }).toEqual({ text, found: [] });
    }
  });
});

describe('findPersonalData, found by review', () => {
  it('keeps positions right after letters whose lower case is longer (İ)', () => {
    expect(found('İİİİİİİİİİİİ DOB: 03/14/1985')).toContainEqual(['DOB', '03/14/1985']);
    expect(found('İİİİİİİİİİİİ: P.O. Box 1234')).toContainEqual(['ADDRESS', 'P.O. Box 1234']);
  });

  it('judges the rest of a run after a find at its start, and numbers joined by a space and a plus', () => {
    expect(found('cards 4111 1111 1111 1111 5500 0000 0000 0004').map(([k, v]) => `${k}:${v}`)).toEqual(['CARD:4111 1111 1111 1111', 'CARD:5500 0000 0000 0004']);
    expect(found('Tel. +49 30 1234567 +49 170 7654321').map(([k]) => k)).toEqual(['PHONE', 'PHONE']);
  });

  it('finds email addresses with letters beyond ASCII', () => {
    expect(found('write to jose.müller@acme.de')).toContainEqual(['EMAIL', 'jose.müller@acme.de']);
  });

  it('does not let one-word values past when they hold a name, an IP or a postcode', () => {
    expect(found('10.0.0.1')).toEqual([['IP', '10.0.0.1']]);
    expect(found('2001:db8::1')).toEqual([['IP', '2001:db8::1']]);
  });
});
