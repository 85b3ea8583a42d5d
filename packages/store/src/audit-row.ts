import { type AuditEntry, SuanliError } from '@suanli/service';
import type { Selectable } from 'kysely';
import type { Database } from './schema.ts';

type AuditRow = Selectable<Database['audit']>;

/**
 * An audit row as an entry, or AUDIT_CORRUPT naming the entry and what is wrong with it: bytes
 * changed behind the store's back can leave a column that is not what was written (JSON that does
 * not parse, a number turned into text). The hash chain catches a well-formed edit; this catches
 * the ones that cannot even be read.
 */
export function auditEntryFromRow(r: AuditRow): AuditEntry {
  const seq = Number(r.seq);
  const damaged = (what: string) =>
    new SuanliError(
      'AUDIT_CORRUPT',
      `audit entry ${Number.isSafeInteger(seq) ? seq : String(r.seq)} is damaged: ${what}`,
    );
  if (!Number.isSafeInteger(seq) || seq < 1) throw damaged('its sequence number is not a whole number ≥ 1');
  if (typeof r.at_s !== 'number' || !Number.isFinite(r.at_s))
    throw damaged(`its time is not a number (${String(r.at_s)})`);
  for (const [column, value] of [
    ['kind', r.kind],
    ['subject', r.subject],
    ['prev_hash', r.prev_hash],
    ['hash', r.hash],
  ] as const) {
    if (typeof value !== 'string') throw damaged(`its ${column} is not text`);
  }
  let data: unknown;
  try {
    data = JSON.parse(r.data);
  } catch (e) {
    throw damaged(`its data is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw damaged('its data is not a JSON object');
  return {
    seq,
    atS: r.at_s,
    kind: r.kind,
    subject: r.subject,
    data: data as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Whether a database error says its file (or pages) are damaged, rather than that it is busy or down. */
export function isDamagedStorage(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  // SQLite: SQLITE_CORRUPT (and its extended codes), SQLITE_NOTADB; PostgreSQL: data_corrupted, index_corrupted.
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code === 'XX001' || code === 'XX002';
}

/** AUDIT_CORRUPT for a store that cannot read on from entry `seq` (the entries before it read back). */
export function damagedFrom(seq: number, e: unknown): SuanliError {
  const code = (e as { code?: unknown } | null)?.code;
  const why = e instanceof Error ? e.message : String(e);
  return new SuanliError(
    'AUDIT_CORRUPT',
    `the audit store cannot be read from entry ${seq} on: ${why}${typeof code === 'string' ? ` (${code})` : ''}`,
    {},
    { cause: e },
  );
}
