import { credentialContexts } from '../connections/portal-credentials';
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
  // A portal's secrets (docs/decisions/0020): its access token, OAuth refresh token and private app's client secret.
  { table: 'portal_credentials', idColumn: 'portal_id', idType: 'bigint', column: 'access_token_encrypted', context: (id) => credentialContexts.accessToken(id) },
  { table: 'portal_credentials', idColumn: 'portal_id', idType: 'bigint', column: 'refresh_token_encrypted', context: (id) => credentialContexts.refreshToken(id) },
  { table: 'portal_credentials', idColumn: 'portal_id', idType: 'bigint', column: 'client_secret_encrypted', context: (id) => credentialContexts.clientSecret(id) },
  // The data keys that seal personal data in the event store (docs/decisions/0019); NULL once erased.
  { table: 'subject_keys', idColumn: 'key_id', idType: 'uuid', column: 'wrapped_key', context: (id) => subjectKeyContext(id) },
];

export function columnName(column: EncryptedColumn): string {
  return `${column.table}.${column.column}`;
}
