import type { DataSource } from 'typeorm';
import { Keyring, PersonalData, SubjectKeys } from '@app/common';
import { TEST_TOKEN_KEY } from './platform';

/**
 * Opens rows read straight from the events table as the services read them: their
 * sealed personal fields (docs/decisions/0019) with the test keyring's keys. Rows
 * need `id` (the event id) and `portal_id`.
 */
export async function openRows<T extends { id: string; portal_id: string | number; data: unknown }>(dataSource: DataSource, rows: T[]): Promise<T[]> {
  const personalData = new PersonalData(new SubjectKeys(dataSource, Keyring.single(Buffer.from(TEST_TOKEN_KEY, 'base64'))));
  return personalData.open(rows.map((row) => ({ ...row, portalId: Number(row.portal_id) })));
}
