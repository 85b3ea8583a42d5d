import { type AuditEntry, canonicalJson } from './audit.ts';
import { SuanliError } from './errors.ts';
import { type Hash, leafHash, MerkleTree, verifyConsistency, verifyInclusion } from './merkle.ts';
import type { Clock } from './ports/clock.ts';
import type { Store } from './ports/store.ts';
import { type LogKey, type SignedTreeHead, signTreeHead, verifyTreeHead } from './tree-head.ts';

/** The bytes of an entry that its Merkle leaf covers: everything but the chain fields. */
export function auditLeafBytes(e: Pick<AuditEntry, 'seq' | 'atS' | 'kind' | 'subject' | 'data'>): Uint8Array {
  return Buffer.from(canonicalJson({ seq: e.seq, atS: e.atS, kind: e.kind, subject: e.subject, data: e.data }), 'utf8');
}

export function auditLeafHash(e: Pick<AuditEntry, 'seq' | 'atS' | 'kind' | 'subject' | 'data'>): Hash {
  return leafHash(auditLeafBytes(e));
}

const hex = (h: Uint8Array) => Buffer.from(h).toString('hex');
const unhex = (s: string): Hash => new Uint8Array(Buffer.from(s, 'hex'));

export interface InclusionProof {
  /** The entry's sequence number (leaf index + 1). */
  readonly seq: number;
  readonly treeSize: number;
  /** Hex hashes, RFC 6962 audit path. */
  readonly proof: string[];
  readonly entry: AuditEntry;
}

/**
 * The kind of the entry in which the log records the public key it signs its heads with: written
 * at start when the log's latest such entry is missing or names another key (`data.previous`: the
 * key it replaces). A verifier with a copy of the data folder learns from these entries which keys
 * the log has used, so a missing or swapped key file cannot make it skip the heads pinned for them.
 */
export const LOG_KEY_KIND = 'log.key';

/** The keys a log recorded (its `log.key` entries), oldest first. */
export interface RecordedLogKey {
  readonly seq: number;
  readonly publicKey: string;
}

/** The key an entry records, if it is a well-formed `log.key` entry. */
export function recordedLogKey(e: Pick<AuditEntry, 'seq' | 'kind' | 'data'>): RecordedLogKey | undefined {
  if (e.kind !== LOG_KEY_KIND) return undefined;
  const publicKey = e.data['publicKey'];
  return typeof publicKey === 'string' && publicKey.length > 0 ? { seq: e.seq, publicKey } : undefined;
}

export interface ConsistencyProof {
  readonly first: number;
  readonly second: number;
  readonly proof: string[];
}

/**
 * The audit log as an RFC 6962 Merkle tree over the store's entries (entry `seq` is leaf
 * `seq − 1`), with signed tree heads and inclusion and consistency proofs. The tree is kept in
 * memory and catches up with the store on every read, so every writer can append through the
 * store's transactions as before.
 */
export class AuditLog {
  readonly logId: string;
  private readonly store: Store;
  private readonly key: LogKey;
  private readonly clock: Clock;
  private readonly tree = new MerkleTree();
  private syncing: Promise<void> | undefined;
  /** The latest key the log recorded (its last `log.key` entry read so far). */
  private lastRecordedKey: RecordedLogKey | undefined;

  constructor(store: Store, key: LogKey, clock: Clock, logId = 'suanli') {
    this.store = store;
    this.key = key;
    this.clock = clock;
    this.logId = logId;
  }

  get publicKey(): string {
    return this.key.publicKey;
  }

  /** Reads the entries appended since the last read into the tree. */
  sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        for (;;) {
          const page = await this.store.listAudit(this.tree.size + 1, 5000);
          if (page.length === 0) return;
          for (const e of page) {
            if (e.seq !== this.tree.size + 1) {
              throw new SuanliError('INTERNAL', `audit entry ${this.tree.size + 1} is missing from the store`);
            }
            this.tree.append(auditLeafHash(e));
            this.lastRecordedKey = recordedLogKey(e) ?? this.lastRecordedKey;
          }
        }
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  /**
   * Records this log's signing key in the log (a `log.key` entry) unless the latest key it
   * recorded is this one: on the first start, and after the key file was replaced. Returns the
   * entry written, if any. The server calls it once at start.
   */
  async recordKey(): Promise<AuditEntry | undefined> {
    await this.sync();
    const previous = this.lastRecordedKey?.publicKey;
    if (previous === this.key.publicKey) return undefined;
    return this.store.appendAudit({
      atS: this.clock.nowS(),
      kind: LOG_KEY_KIND,
      subject: this.logId,
      data: { publicKey: this.key.publicKey, ...(previous ? { previous } : {}) },
    });
  }

  /** The current tree head, signed. */
  async head(): Promise<SignedTreeHead> {
    await this.sync();
    return signTreeHead(
      {
        logId: this.logId,
        treeSize: this.tree.size,
        rootHash: hex(this.tree.root()),
        timestampS: Math.floor(this.clock.nowS()),
      },
      this.key,
    );
  }

  async inclusionProof(seq: number, treeSize?: number): Promise<InclusionProof> {
    await this.sync();
    const size = treeSize ?? this.tree.size;
    if (!(Number.isInteger(size) && size >= 1 && size <= this.tree.size)) {
      throw new SuanliError('INVALID_FIELD', `treeSize must be between 1 and ${this.tree.size}`, { field: 'treeSize' });
    }
    if (!(Number.isInteger(seq) && seq >= 1 && seq <= size)) {
      throw new SuanliError('INVALID_FIELD', `entry ${seq} is not in a tree of ${size}`, { field: 'seq' });
    }
    const [entry] = await this.store.listAudit(seq, 1);
    if (!entry) throw new SuanliError('AUDIT_ENTRY_NOT_FOUND', `no audit entry ${seq}`);
    return { seq, treeSize: size, proof: this.tree.inclusionProof(seq - 1, size).map(hex), entry };
  }

  async consistencyProof(first: number, second?: number): Promise<ConsistencyProof> {
    await this.sync();
    const to = second ?? this.tree.size;
    if (!(Number.isInteger(to) && to >= 0 && to <= this.tree.size)) {
      throw new SuanliError('INVALID_FIELD', `second must be between 0 and ${this.tree.size}`, { field: 'second' });
    }
    if (!(Number.isInteger(first) && first >= 0 && first <= to)) {
      throw new SuanliError('INVALID_FIELD', `first must be between 0 and ${to}`, { field: 'first' });
    }
    return { first, second: to, proof: this.tree.consistencyProof(first, to).map(hex) };
  }
}

/**
 * Client-side checks, for the CLI and any auditor: they trust nothing the server says but the
 * pinned public key. Each returns a reason when the check fails.
 */
export function checkInclusion(p: InclusionProof, sth: SignedTreeHead, publicKey: string): string | undefined {
  if (!verifyTreeHead(sth, publicKey)) return 'the tree head is not signed by the pinned log key';
  if (p.treeSize !== sth.treeSize) return `the proof is for a tree of ${p.treeSize}, the head for ${sth.treeSize}`;
  if (p.entry.seq !== p.seq) return `the server sent entry ${p.entry.seq} for ${p.seq}`;
  const ok = verifyInclusion(auditLeafHash(p.entry), p.seq - 1, p.treeSize, p.proof.map(unhex), unhex(sth.rootHash));
  return ok ? undefined : `entry ${p.seq} is not in the signed tree: the proof does not verify`;
}

export function checkConsistency(
  older: SignedTreeHead,
  newer: SignedTreeHead,
  p: ConsistencyProof,
  publicKey: string,
): string | undefined {
  if (!verifyTreeHead(older, publicKey) || !verifyTreeHead(newer, publicKey)) {
    return 'a tree head is not signed by the pinned log key';
  }
  if (newer.treeSize < older.treeSize) return `the log shrank from ${older.treeSize} to ${newer.treeSize} entries`;
  if (p.first !== older.treeSize || p.second !== newer.treeSize) return 'the proof is for other tree sizes';
  const ok = verifyConsistency(
    older.treeSize,
    newer.treeSize,
    unhex(older.rootHash),
    unhex(newer.rootHash),
    p.proof.map(unhex),
  );
  return ok
    ? undefined
    : `the log of ${newer.treeSize} entries does not extend the one of ${older.treeSize}: history was rewritten`;
}
