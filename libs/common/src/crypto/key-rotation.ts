import type { DataSource } from 'typeorm';
import { columnName, ENCRYPTED_COLUMNS, type EncryptedColumn } from './encrypted-columns';
import { DecryptionError, LEGACY_KEY_ID, type Keyring } from './keyring';

/** How many rows of one encrypted column name one key id (null: a value that is no ciphertext of ours). */
export interface KeyUsage {
  column: string;
  keyId: string | null;
  rows: number;
}

/** Boot (and `keys:rotate`) refuse to run when a stored ciphertext names a key the keyring lacks. */
export class MissingKeysError extends Error {
  constructor(readonly missing: ReadonlyArray<KeyUsage>) {
    const ids = [...new Set(missing.map((m) => m.keyId))];
    const where = missing.map((m) => `"${m.keyId}" (${m.rows} row${m.rows === 1 ? '' : 's'} in ${m.column})`).join(', ');
    super(
      `stored secrets are encrypted with key id${ids.length === 1 ? '' : 's'} that ${ids.length === 1 ? 'is' : 'are'} not configured: ${where}. ` +
        `Add ${ids.length === 1 ? 'it' : 'each'} to TOKEN_ENCRYPTION_KEYS as id:key (key "${LEGACY_KEY_ID}" may instead be TOKEN_ENCRYPTION_KEY) and start again.`,
    );
    this.name = 'MissingKeysError';
  }
}

/** Rows per key id in every encrypted column; empty values (erased secrets) are not counted. */
export async function storedKeyUsage(dataSource: DataSource, columns: ReadonlyArray<EncryptedColumn> = ENCRYPTED_COLUMNS): Promise<KeyUsage[]> {
  const usage: KeyUsage[] = [];
  for (const column of columns) {
    const value = `"${column.column}"`;
    const rows: Array<{ key_id: string | null; rows: number }> = await dataSource.query(
      `SELECT CASE WHEN ${value} LIKE 'v2:%' THEN split_part(${value}, ':', 2) WHEN ${value} LIKE 'v1:%' THEN $1 END AS key_id, count(*)::int AS rows
         FROM "${column.table}" WHERE ${value} IS NOT NULL AND ${value} <> '' GROUP BY 1 ORDER BY 1`,
      [LEGACY_KEY_ID],
    );
    for (const row of rows) usage.push({ column: columnName(column), keyId: row.key_id, rows: row.rows });
  }
  return usage;
}

/** Throws MissingKeysError naming every stored key id the keyring lacks; returns the usage otherwise. */
export async function assertStoredKeysConfigured(dataSource: DataSource, keyring: Keyring, columns: ReadonlyArray<EncryptedColumn> = ENCRYPTED_COLUMNS): Promise<KeyUsage[]> {
  const usage = await storedKeyUsage(dataSource, columns);
  const missing = usage.filter((u) => u.keyId !== null && !keyring.has(u.keyId));
  if (missing.length > 0) throw new MissingKeysError(missing);
  return usage;
}

export interface ColumnRotation {
  column: string;
  /** Rows read that were not on the active key. */
  examined: number;
  reencrypted: number;
  /** Rows whose value changed between read and write (a token replaced meanwhile): left as they are. */
  changedMeanwhile: number;
  /** Rows that did not decrypt (by id, with the reason; never the value). */
  failed: Array<{ id: string; reason: string }>;
}

export interface RotationReport {
  activeKeyId: string;
  columns: ColumnRotation[];
}

export interface BatchProgress {
  column: string;
  batch: number;
  reencrypted: number;
  changedMeanwhile: number;
  failed: number;
  /** The last row id of the batch. */
  lastId: string;
}

export interface RotationOptions {
  /** Rows read, re-encrypted and written at once (default 500). */
  batchSize?: number;
  columns?: ReadonlyArray<EncryptedColumn>;
  /** After each batch is written (progress logs). */
  onBatch?: (progress: BatchProgress) => void | Promise<void>;
  /** With a batch re-encrypted in memory, just before it is written (tests race a writer here). */
  beforeWrite?: (column: string, ids: string[]) => void | Promise<void>;
}

/**
 * Re-encrypts every stored secret that is not on the keyring's active key (older
 * keys, and the v1 format). Idempotent and resumable: only rows not yet on the
 * active key are read, so a second run, or a run after an interrupted one, does
 * the rest. Safe while the services run: rows are walked by id in batches and each
 * is written with `UPDATE … WHERE value = <the value read>`, one column only, so a
 * token replaced meanwhile is never overwritten (counted as changedMeanwhile; it
 * already is on the active key, or the next run takes it). Refuses to start when a
 * stored key id has no key (MissingKeysError).
 */
export async function reencryptAll(dataSource: DataSource, keyring: Keyring, options: RotationOptions = {}): Promise<RotationReport> {
  const columns = options.columns ?? ENCRYPTED_COLUMNS;
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('batchSize must be a positive integer');
  await assertStoredKeysConfigured(dataSource, keyring, columns);

  const report: RotationReport = { activeKeyId: keyring.activeKeyId, columns: [] };
  const current = `v2:${keyring.activeKeyId}:`;
  for (const column of columns) {
    const name = columnName(column);
    const result: ColumnRotation = { column: name, examined: 0, reencrypted: 0, changedMeanwhile: 0, failed: [] };
    report.columns.push(result);
    const [table, id, value, type] = [`"${column.table}"`, `"${column.idColumn}"`, `"${column.column}"`, column.idType];
    let after: string | null = null;
    for (let batch = 1; ; batch += 1) {
      const rows: Array<{ id: string; value: string }> = await dataSource.query(
        `SELECT ${id}::text AS id, ${value} AS value FROM ${table}
          WHERE ($1::${type} IS NULL OR ${id} > $1::${type}) AND ${value} IS NOT NULL AND ${value} <> '' AND left(${value}, $2) <> $3
          ORDER BY ${id} LIMIT $4`,
        [after, current.length, current, batchSize],
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      result.examined += rows.length;

      const writes: Array<{ id: string; from: string; to: string }> = [];
      let failed = 0;
      for (const row of rows) {
        try {
          writes.push({ id: row.id, from: row.value, to: keyring.reencrypt(row.value, column.context(row.id)) });
        } catch (error) {
          if (!(error instanceof DecryptionError)) throw error;
          result.failed.push({ id: row.id, reason: error.message });
          failed += 1;
        }
      }
      await options.beforeWrite?.(name, writes.map((w) => w.id));

      let written = 0;
      if (writes.length > 0) {
        const answer: unknown = await dataSource.query(
          `UPDATE ${table} AS t SET ${value} = u.next
             FROM unnest($1::${type}[], $2::text[], $3::text[]) AS u(id, previous, next)
            WHERE t.${id} = u.id AND t.${value} = u.previous
          RETURNING t.${id}`,
          [writes.map((w) => w.id), writes.map((w) => w.from), writes.map((w) => w.to)],
        );
        written = updatedRows(answer);
      }
      result.reencrypted += written;
      result.changedMeanwhile += writes.length - written;
      await options.onBatch?.({ column: name, batch, reencrypted: written, changedMeanwhile: writes.length - written, failed, lastId: after });
    }
  }
  return report;
}

/** TypeORM answers an UPDATE with [rows, rowCount]. */
function updatedRows(answer: unknown): number {
  if (Array.isArray(answer) && answer.length === 2 && typeof answer[1] === 'number') return answer[1];
  if (Array.isArray(answer)) return answer.length;
  return 0;
}
