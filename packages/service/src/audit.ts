import { createHash } from 'node:crypto';
import { isSuanliError } from './errors.ts';

/** A state change as the service reports it. `data` must hold no personal data. */
export interface AuditEvent {
  readonly atS: number;
  /** What happened: `job.submitted`, `job.placed`, `job.running`, … */
  readonly kind: string;
  /** What it happened to: a job id, a site id. */
  readonly subject: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** An event as stored: numbered and chained to the entry before it. */
export interface AuditEntry extends AuditEvent {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level and no spaces: one byte string per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 over the previous hash and the canonical entry: changing either changes the hash. */
export function auditHash(prevHash: string, seq: number, event: AuditEvent): string {
  const body = canonicalJson({ seq, atS: event.atS, kind: event.kind, subject: event.subject, data: event.data });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export function chainEntry(prev: { seq: number; hash: string } | undefined, event: AuditEvent): AuditEntry {
  const seq = prev ? prev.seq + 1 : 1;
  const prevHash = prev ? prev.hash : GENESIS_HASH;
  return { ...event, seq, prevHash, hash: auditHash(prevHash, seq, event) };
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly entries: number;
  readonly headHash: string;
  /** The first entry that does not verify, and why. */
  readonly firstBadSeq?: number;
  readonly problem?: string;
}

/**
 * Checks the whole chain: numbering without gaps from 1, each entry linked to the one before, and
 * each hash recomputed from the content. Finds any edit, deletion, insertion or reordering, and an
 * entry the store cannot read back (damaged bytes: the chain breaks at the first one).
 */
export async function verifyAuditChain(pages: AsyncIterable<readonly AuditEntry[]>): Promise<AuditVerification> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  const bad = (problem: string): AuditVerification => ({
    ok: false,
    entries: expectedSeq - 1,
    headHash: prevHash,
    firstBadSeq: expectedSeq,
    problem,
  });
  try {
    for await (const page of pages) {
      for (const e of page) {
        if (e.seq !== expectedSeq) return bad(`expected entry ${expectedSeq}, found ${e.seq}`);
        if (e.prevHash !== prevHash) return bad(`entry ${e.seq} does not link to entry ${e.seq - 1}`);
        if (auditHash(prevHash, e.seq, e) !== e.hash) return bad(`entry ${e.seq} was changed after it was written`);
        prevHash = e.hash;
        expectedSeq++;
      }
    }
  } catch (e) {
    // The store read the entries before this one and cannot read on (AUDIT_CORRUPT): the chain
    // is broken here. Any other failure (a database that is down) is not a verdict on the log.
    if (isSuanliError(e) && e.code === 'AUDIT_CORRUPT') return bad(e.message);
    throw e;
  }
  return { ok: true, entries: expectedSeq - 1, headHash: prevHash };
}
