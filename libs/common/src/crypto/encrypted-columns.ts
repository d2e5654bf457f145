import { portalTokenContext } from '../portals/token-cipher';
import { subjectKeyContext } from '../privacy/subject-keys';

/**
 * Every column that holds a keyring ciphertext, with the context (AAD) each row's
 * value is bound to. The boot check and `keys:rotate` work through this list:
 * a new encrypted column is added here and is then checked and re-encrypted too.
 */
export interface EncryptedColumn {
  table: string;
  /** The row's key: a single, ordered column (keyset pagination walks it). */
  idColumn: string;
  idType: 'bigint' | 'text' | 'uuid';
  column: string;
  /** The AAD of the row with this id (as text, the way Postgres returns it). */
  context(id: string): string;
}

export const ENCRYPTED_COLUMNS: ReadonlyArray<EncryptedColumn> = [
  { table: 'portals', idColumn: 'portal_id', idType: 'bigint', column: 'access_token_encrypted', context: (id) => portalTokenContext(id) },
  // The data keys that seal personal data in the event store (docs/decisions/0019); NULL once erased.
  { table: 'subject_keys', idColumn: 'key_id', idType: 'uuid', column: 'wrapped_key', context: (id) => subjectKeyContext(id) },
];

export function columnName(column: EncryptedColumn): string {
  return `${column.table}.${column.column}`;
}
