import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  checkConsistency,
  type MerkleTree,
  readBounded,
  type SignedTreeHead,
  SuanliError,
  verifyTreeHead,
} from '@suanli/service';
import type { ApiClient } from './client.ts';
import { boundedText } from './http-body.ts';

/**
 * A witness file: the signed tree heads one observer saw a log publish, each checked consistent
 * with the one before (as a Certificate Transparency monitor does). Kept outside the log's data
 * folder, it is what an operator who can rewrite that folder cannot rewrite: a log cut short or
 * re-hashed no longer extends the heads witnessed, and the heads are signed by the log's own key.
 */
export interface WitnessFile {
  readonly format: typeof WITNESS_FORMAT;
  /** The server polled (for people: the pinned key is what identifies the log). */
  readonly url: string;
  readonly logId: string;
  /** The log's public key, pinned on the first poll; every head must be signed by it. */
  readonly publicKey: string;
  readonly pinnedAtS: number;
  /** Heads witnessed, oldest first, each consistent with the one before; the latest WITNESS_MAX_HEADS. */
  readonly heads: readonly WitnessedHead[];
  /** Signed heads that did not extend the last witnessed one: evidence that the log misbehaved. */
  readonly conflicts?: readonly { readonly head: WitnessedHead; readonly problem: string }[];
}

export interface WitnessedHead extends SignedTreeHead {
  /** When this witness saw the head (its own clock). */
  readonly witnessedAtS: number;
}

export const WITNESS_FORMAT = 'suanli-witness/1';
/** A witness keeps this many heads: any one of them proves the prefix every older one covered. */
export const WITNESS_MAX_HEADS = 500;
const MAX_CONFLICTS = 20;
/** The most a witness file may weigh (500 heads are about 150 KB). */
const WITNESS_MAX_BYTES = 8 * 1024 * 1024;

const iso = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const hex = (h: Uint8Array) => Buffer.from(h).toString('hex');

function isHead(h: unknown): h is WitnessedHead {
  const o = h as Record<string, unknown> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o['logId'] === 'string' &&
    Number.isSafeInteger(o['treeSize']) &&
    typeof o['rootHash'] === 'string' &&
    typeof o['timestampS'] === 'number' &&
    typeof o['signature'] === 'string' &&
    typeof o['witnessedAtS'] === 'number'
  );
}

/** Parses a witness file's text; MALFORMED_INPUT naming the source when it is not one. */
export function parseWitness(text: string, source: string): WitnessFile {
  const bad = (why: string) => new SuanliError('MALFORMED_INPUT', `not a Suanli witness file: ${why}`, { source });
  let w: Record<string, unknown>;
  try {
    w = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  if (typeof w !== 'object' || w === null) throw bad('not a JSON object');
  if (w['format'] !== WITNESS_FORMAT) throw bad(`format is ${JSON.stringify(w['format'])}, not "${WITNESS_FORMAT}"`);
  if (typeof w['publicKey'] !== 'string' || typeof w['logId'] !== 'string') throw bad('no logId or publicKey');
  const heads = w['heads'];
  if (!Array.isArray(heads)) throw bad('no heads');
  heads.forEach((h, i) => {
    if (!isHead(h)) throw bad(`heads[${i}] is not a signed tree head`);
  });
  return w as unknown as WitnessFile;
}

/** The witness file at a path, or served at an http(s) URL (no credentials are sent). */
export async function loadWitness(fileOrUrl: string): Promise<WitnessFile> {
  if (/^https?:\/\//i.test(fileOrUrl)) {
    let text: string;
    try {
      const res = await fetch(fileOrUrl, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      text = await boundedText(res, WITNESS_MAX_BYTES);
    } catch (e) {
      throw new SuanliError(
        'SERVER_UNREACHABLE',
        `cannot fetch the witness file ${fileOrUrl}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (Buffer.byteLength(text) > WITNESS_MAX_BYTES) {
      throw new SuanliError('MALFORMED_INPUT', 'the witness file is larger than 8 MiB', { source: fileOrUrl });
    }
    return parseWitness(text, fileOrUrl);
  }
  if (!existsSync(fileOrUrl)) {
    throw new SuanliError('INVALID_FIELD', `no witness file at ${fileOrUrl}`, { field: '--witness' });
  }
  const bytes = readBounded(
    fileOrUrl,
    WITNESS_MAX_BYTES,
    (why) => new SuanliError('MALFORMED_INPUT', `cannot read the witness file: ${why}`, { source: fileOrUrl }),
  );
  return parseWitness(bytes.toString('utf8'), fileOrUrl);
}

function writeWitness(path: string, w: WitnessFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(w, null, 2)}\n`);
  renameSync(tmp, path);
}

export interface WitnessReport {
  readonly ok: boolean;
  /** The head seen on this poll. */
  readonly head?: SignedTreeHead;
  readonly heads: number;
  readonly lines: readonly string[];
}

/**
 * One poll of `suanli audit witness`: the server's signed head, checked against the key pinned in
 * the witness file (the first poll pins it) and, with the server's consistency proof, against the
 * last head witnessed; appended when it is. A log that shrank, was rewritten or changed its key is
 * BROKEN, and its signed head is kept in the file as evidence.
 */
export async function witnessOnce(client: ApiClient, path: string, nowS: number): Promise<WitnessReport> {
  const before = existsSync(path) ? parseWitness(readFileSync(path, 'utf8'), path) : undefined;
  const key = await client.auditKey();
  const lines: string[] = [];
  const heads = before?.heads ?? [];
  const broken = (why: string, evidence?: WitnessedHead): WitnessReport => {
    if (before && evidence) {
      const conflicts = [...(before.conflicts ?? []), { head: evidence, problem: why }].slice(-MAX_CONFLICTS);
      writeWitness(path, { ...before, conflicts });
    }
    return { ok: false, heads: heads.length, lines: [...lines, `BROKEN: ${why}`] };
  };
  if (before && before.publicKey !== key.publicKey) {
    return broken(
      `the log's key changed (witnessed ${before.publicKey}, now ${key.publicKey}): a new log answers at ${client.baseUrl}; ` +
        `if its operator rotated the key on purpose (a log.key entry records it), start a new witness file`,
    );
  }
  const publicKey = before?.publicKey ?? key.publicKey;
  if (!before) lines.push(`pinned log key ${publicKey} of ${client.baseUrl} (first use) in ${path}`);
  const head: WitnessedHead = { ...(await client.auditHead()), witnessedAtS: Math.floor(nowS) };
  if (!verifyTreeHead(head, publicKey)) return broken('the tree head is not signed by the witnessed key');
  const last = heads.at(-1);
  if (last) {
    const seen = `the head of ${last.treeSize} witnessed ${iso(last.witnessedAtS)}`;
    if (head.treeSize < last.treeSize) {
      return broken(`the log shrank: it signs ${head.treeSize} entries, after ${seen}`, head);
    }
    const proof = await client.consistencyProof(last.treeSize, head.treeSize);
    const bad = checkConsistency(last, head, proof, publicKey);
    if (bad) return broken(`${bad} (${seen})`, head);
    lines.push(`consistent with ${seen}`);
  }
  // A head of the same size (and so, proven, the same root) replaces the last: the file says how recent it is.
  const kept = [...(last?.treeSize === head.treeSize ? heads.slice(0, -1) : heads), head].slice(-WITNESS_MAX_HEADS);
  writeWitness(path, {
    format: WITNESS_FORMAT,
    url: before?.url ?? client.baseUrl,
    logId: before?.logId ?? key.logId,
    publicKey,
    pinnedAtS: before?.pinnedAtS ?? Math.floor(nowS),
    heads: kept,
    ...(before?.conflicts ? { conflicts: before.conflicts } : {}),
  });
  lines.unshift(
    `witnessed ${head.treeSize} entries, signed tree head ${head.rootHash}; ${path} holds ${kept.length} head${kept.length === 1 ? '' : 's'}`,
  );
  return { ok: true, head, heads: kept.length, lines };
}

/**
 * Checks a recomputed log against a witness: the witness's key is one the log used, every head is
 * signed by it, and the log extends every head (the root of its first treeSize entries is the
 * head's). A problem, or lines for the report.
 */
export function checkWitness(
  tree: MerkleTree,
  logKeys: readonly string[],
  w: WitnessFile,
  source: string,
): { problem?: string; lines: string[] } {
  if (!logKeys.includes(w.publicKey)) {
    return {
      problem: `the witness ${source} pinned key ${w.publicKey}, which this log never used (its keys: ${logKeys.join(', ')}): it witnessed another log, or this log was replaced`,
      lines: [],
    };
  }
  let latest: WitnessedHead | undefined;
  for (const h of w.heads) {
    const when = `witnessed ${iso(h.witnessedAtS)} in ${source}`;
    if (!verifyTreeHead(h, w.publicKey)) {
      return { problem: `the head of ${h.treeSize} entries ${when} is not signed by the log's key`, lines: [] };
    }
    if (h.treeSize > tree.size) {
      return {
        problem: `the log has ${tree.size} entries, fewer than the ${h.treeSize} of the head ${when}: entries were removed`,
        lines: [],
      };
    }
    if (hex(tree.root(h.treeSize)) !== h.rootHash) {
      return {
        problem: `the first ${h.treeSize} entries no longer hash to the head ${when}: history was rewritten`,
        lines: [],
      };
    }
    if (!latest || h.treeSize >= latest.treeSize) latest = h;
  }
  if (!latest) return { lines: [`the witness ${source} has no heads yet`] };
  const after = tree.size - latest.treeSize;
  return {
    lines: [
      `extends all ${w.heads.length} heads witnessed in ${source} (the latest: ${latest.treeSize} entries, witnessed ${iso(latest.witnessedAtS)}); ` +
        (after === 0 ? 'every entry is witnessed' : `${after} entries after it are not witnessed yet`),
    ],
  };
}
