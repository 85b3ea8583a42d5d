import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  type AuditEntry,
  auditLeafHash,
  checkConsistency,
  checkInclusion,
  isSuanliError,
  logKeyFromPem,
  MerkleTree,
  type RecordedLogKey,
  recordedLogKey,
  type SignedTreeHead,
  SuanliError,
  verifyAuditChain,
  verifyTreeHead,
} from '@suanli/service';
import { openSqliteStore } from '@suanli/store';
import { checkWitness, loadWitness } from './audit-witness.ts';
import type { ApiClient } from './client.ts';

/**
 * What this machine has seen of each log: its key and its latest signed head, as SSH's
 * known_hosts: the first use pins the key, and every later check must extend the pinned head.
 */
export interface Pin {
  readonly logId: string;
  readonly publicKey: string;
  readonly head?: SignedTreeHead;
  /** Each explicit re-pin (`suanli audit trust --reset`), oldest first. */
  readonly repins?: readonly Repin[];
}

/** A re-pin: what was trusted before, and the key trusted since. */
export interface Repin {
  readonly atS: number;
  readonly oldKey: string;
  readonly oldHead?: { readonly treeSize: number; readonly rootHash: string };
  readonly newKey: string;
  readonly newHead: { readonly treeSize: number; readonly rootHash: string };
}

export type Pins = Record<string, Pin>;

type Env = Readonly<Record<string, string | undefined>>;

export function pinsPath(env: Env): string {
  return join(env['SUANLI_HOME'] ?? join(env['HOME'] ?? homedir(), '.suanli'), 'known-logs.json');
}

export function readPins(path: string): Pins {
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Pins;
  } catch (e) {
    throw new SuanliError(
      'MALFORMED_INPUT',
      `the pinned logs cannot be read: ${e instanceof Error ? e.message : String(e)}; fix or move the file`,
      { source: path },
    );
  }
}

export function writePins(path: string, pins: Pins): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(pins, null, 2)}\n`);
  renameSync(tmp, path);
}

/** What to run when a log's key is not the one pinned: the only way to trust another key. */
export function repinHint(url: string): string {
  return `if its data folder was replaced on purpose, check with its operator and run \`suanli audit trust --reset ${url}\``;
}

export interface LogCheck {
  readonly ok: boolean;
  readonly entries: number;
  readonly lines: readonly string[];
}

const hex = (h: Uint8Array) => Buffer.from(h).toString('hex');

interface Recomputed {
  readonly tree: MerkleTree;
  readonly entries: number;
  readonly problem?: string;
  /** The keys the log recorded (`log.key` entries), oldest first. */
  readonly keys: readonly RecordedLogKey[];
}

/** Recomputes the chain and the Merkle tree of all entries; the tree and the log's keys for further checks. */
async function recompute(pages: AsyncIterable<readonly AuditEntry[]>): Promise<Recomputed> {
  const tree = new MerkleTree();
  const keys: RecordedLogKey[] = [];
  const chain = await verifyAuditChain({
    async *[Symbol.asyncIterator]() {
      for await (const page of pages) {
        for (const e of page) {
          tree.append(auditLeafHash(e));
          const k = recordedLogKey(e);
          if (k) keys.push(k);
        }
        yield page;
      }
    },
  });
  return chain.ok
    ? { tree, entries: chain.entries, keys }
    : { tree, entries: chain.entries, keys, problem: `entry ${chain.firstBadSeq}: ${chain.problem}` };
}

/** Pages of entries from 1 on, 5,000 at a time. */
function pagesOf(list: (from: number, limit: number) => Promise<readonly AuditEntry[]>) {
  return {
    async *[Symbol.asyncIterator]() {
      let from = 1;
      for (;;) {
        const page = await list(from, 5000);
        if (page.length === 0) return;
        yield page;
        from = (page[page.length - 1]?.seq ?? from) + 1;
      }
    },
  };
}

/** Checks a head against the recomputed tree: the log must extend it. */
function extendsHead(tree: MerkleTree, head: SignedTreeHead, what: string): string | undefined {
  if (head.treeSize > tree.size) {
    return `the log has ${tree.size} entries, fewer than the ${head.treeSize} of ${what}: entries were removed`;
  }
  if (hex(tree.root(head.treeSize)) !== head.rootHash) {
    return `the first ${head.treeSize} entries no longer hash to ${what}: history was rewritten`;
  }
  return undefined;
}

const keyList = (keys: readonly RecordedLogKey[]) => keys.map((k) => `${k.publicKey} (entry ${k.seq})`).join(', ');

/** The server could not read its own log (AUDIT_CORRUPT): its chain check says where and why. */
async function serverDamage(client: ApiClient, e: SuanliError): Promise<string> {
  const v = await client.verifyAudit().catch(() => undefined);
  return v && !v.ok && v.problem
    ? `the server's audit store is damaged: entry ${v.firstBadSeq}: ${v.problem}`
    : `the server cannot read its audit log: ${e.message}`;
}

/**
 * `suanli audit verify`: the client trusts only the key it pinned. It fetches the signed head,
 * checks its signature, recomputes the hash chain and the Merkle tree from every entry, compares
 * the root, and checks the log still extends the head it pinned last time (locally and with the
 * server's consistency proof) and, with `witness`, every head a witness saw. Then it pins the new head.
 */
export async function verifyRemoteLog(
  client: ApiClient,
  env: Env,
  options: { witness?: string } = {},
): Promise<LogCheck> {
  const path = pinsPath(env);
  const pins = readPins(path);
  const witness = options.witness ? await loadWitness(options.witness) : undefined;
  const key = await client.auditKey();
  const pin = pins[client.baseUrl];
  const lines: string[] = [];
  const fail = (why: string, entries = 0): LogCheck => ({ ok: false, entries, lines: [...lines, `BROKEN: ${why}`] });
  if (pin && pin.publicKey !== key.publicKey) {
    return fail(
      `the log's key changed (pinned ${pin.publicKey}, now ${key.publicKey}) in ${path}; ${repinHint(client.baseUrl)}`,
    );
  }
  if (!pin) lines.push(`pinned log key ${key.publicKey} (first use) in ${path}`);
  try {
    const head = await client.auditHead();
    if (!verifyTreeHead(head, key.publicKey)) return fail('the tree head is not signed by the pinned key');

    const { tree, problem, entries, keys } = await recompute(
      pagesOf(async (from, limit) => {
        try {
          return await client.audit(from, limit);
        } catch (e) {
          if (!(isSuanliError(e) && e.code === 'AUDIT_CORRUPT')) throw e;
          const v = await client.verifyAudit().catch(() => undefined);
          throw new SuanliError('AUDIT_CORRUPT', v && !v.ok && v.problem ? v.problem : e.message);
        }
      }),
    );
    if (problem) return fail(problem, entries);
    if (head.treeSize > tree.size) {
      return fail(`the head covers ${head.treeSize} entries, the log serves ${tree.size}`);
    }
    if (hex(tree.root(head.treeSize)) !== head.rootHash) {
      return fail(`the entries do not hash to the signed head of ${head.treeSize}`, entries);
    }
    const rewritten = pin?.head && extendsHead(tree, pin.head, 'the head pinned before');
    if (rewritten) return fail(rewritten, entries);
    if (pin?.head) {
      const proof = await client.consistencyProof(pin.head.treeSize, head.treeSize);
      const bad = checkConsistency(pin.head, head, proof, key.publicKey);
      if (bad) return fail(bad, entries);
      lines.push(`consistent with the head pinned before (${pin.head.treeSize} entries)`);
    }
    if (witness && options.witness) {
      const logKeys = [...new Set([...keys.map((k) => k.publicKey), key.publicKey])];
      const w = checkWitness(tree, logKeys, witness, options.witness);
      if (w.problem) return fail(w.problem, entries);
      lines.push(...w.lines);
    }
    pins[client.baseUrl] = { ...pin, logId: key.logId, publicKey: key.publicKey, head };
    writePins(path, pins);
    lines.unshift(
      `audit log OK: ${entries} entries, chain intact, signed tree head ${head.rootHash} (${head.treeSize})`,
    );
    return { ok: true, entries, lines };
  } catch (e) {
    if (isSuanliError(e) && e.code === 'AUDIT_CORRUPT') return fail(await serverDamage(client, e));
    throw e;
  }
}

/** SQLite's own word that a file is damaged or is no database. */
function isDamagedFile(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/**
 * `suanli audit verify --data DIR`: the same checks offline, on the store file itself, for an
 * auditor with a copy of the data folder: chain and Merkle root; the key file, which must be the
 * key the log recorded last (its `log.key` entries); the heads pinned on this machine for every key
 * the log recorded; and, with `witness`, every head a witness saw. Damaged bytes are BROKEN, naming
 * the entry where reading stops.
 *
 * What it cannot prove without a pinned head or a witness: that no entry after the last head seen
 * was cut, and that the log was not re-hashed whole by someone holding the folder (and its key).
 */
export async function verifyOfflineLog(
  dataDir: string,
  env: Env,
  options: { witness?: string; unpinned?: boolean } = {},
): Promise<LogCheck> {
  const dbPath = join(dataDir, 'suanli.db');
  if (!existsSync(dbPath)) throw new SuanliError('INVALID_FIELD', `no Suanli store at ${dbPath}`, { field: '--data' });
  const witness = options.witness ? await loadWitness(options.witness) : undefined;
  const pins = readPins(pinsPath(env));
  let store: Awaited<ReturnType<typeof openSqliteStore>>;
  // The folder is evidence: it is read through a copy, and nothing is written to it.
  const copy = join(mkdtempSync(join(tmpdir(), 'suanli-verify-')), 'suanli.db');
  try {
    for (const suffix of ['', '-wal']) {
      if (existsSync(dbPath + suffix)) copyFileSync(dbPath + suffix, copy + suffix);
    }
    store = await openSqliteStore(copy, { migrate: false });
  } catch (e) {
    rmSync(dirname(copy), { recursive: true, force: true });
    if (!isDamagedFile(e)) throw e;
    const code = (e as { code: string }).code;
    const why = `${e instanceof Error ? e.message : String(e)} (${code})`;
    return { ok: false, entries: 0, lines: [`BROKEN: ${dbPath} cannot be opened: ${why}; not one entry can be read`] };
  }
  try {
    const { tree, problem, entries, keys } = await recompute(pagesOf((from, limit) => store.listAudit(from, limit)));
    const lines: string[] = [];
    const fail = (why: string): LogCheck => ({ ok: false, entries, lines: [...lines, `BROKEN: ${why}`] });
    if (problem) {
      return fail(entries > 0 ? `${problem} (entries 1–${entries} are intact)` : problem);
    }

    // The key: the one the log recorded last, in its file beside the store.
    const keyPath = join(dataDir, 'audit-ed25519.pem');
    const latest = keys.at(-1);
    const recorded = latest ? ` (the log recorded ${keyList(keys)})` : '';
    if (!existsSync(keyPath)) {
      return fail(
        `the log key ${keyPath} is missing${recorded}: without it this log cannot be told from another, and the heads pinned for it cannot be held against it`,
      );
    }
    let fileKey: string;
    try {
      fileKey = logKeyFromPem(readFileSync(keyPath, 'utf8')).publicKey;
    } catch (e) {
      return fail(`the log key ${keyPath} cannot be read (${e instanceof Error ? e.message : String(e)})${recorded}`);
    }
    if (latest && latest.publicKey !== fileKey) {
      return fail(
        `the log key ${keyPath} was replaced: it holds ${fileKey}, the log recorded ${latest.publicKey} last (entry ${latest.seq}); ` +
          'a key changed on purpose is recorded when the server starts with it',
      );
    }
    lines.push(
      latest
        ? `log key ${fileKey} (recorded in entry ${latest.seq}${keys.length > 1 ? `; earlier keys: ${keyList(keys.slice(0, -1))}` : ''})`
        : `this log records no key (written before log.key entries): only heads pinned for the key file's ${fileKey} apply`,
    );

    // The heads pinned on this machine, for every key the log used.
    const logKeys = [...new Set([...keys.map((k) => k.publicKey), fileKey])];
    let pinned = 0;
    for (const [url, pin] of Object.entries(pins)) {
      if (!logKeys.includes(pin.publicKey) || !pin.head) continue;
      const bad = extendsHead(tree, pin.head, `the head pinned from ${url}`);
      if (bad) return fail(bad);
      lines.push(`extends the head pinned from ${url} (${pin.head.treeSize} entries)`);
      pinned++;
    }
    if (witness && options.witness) {
      const w = checkWitness(tree, logKeys, witness, options.witness);
      if (w.problem) return fail(w.problem);
      lines.push(...w.lines);
    } else if (pinned === 0 && Object.keys(pins).length > 0 && !options.unpinned) {
      // A folder whose key was replaced and whose log was re-hashed under it, key entries and all,
      // matches no pin: that must not pass as "nothing pinned". Say which log it is, or that it is none.
      return fail(
        `none of the logs pinned here (${Object.keys(pins).join(', ')}) used ${keyList(keys.length > 0 ? keys : [{ seq: 0, publicKey: fileKey }])}: ` +
          'if this folder is one of them, its key was replaced and its log rewritten; check it against a witness (--witness), or say it is none of them (--unpinned)',
      );
    } else if (pinned === 0) {
      lines.push(
        'no head of this log is pinned here and no witness was given: entries cut from its end, or the whole log re-hashed, would pass (--witness FILE_OR_URL)',
      );
    }
    lines.unshift(`audit log OK: ${entries} entries, chain intact, Merkle root ${hex(tree.root())}`);
    return { ok: true, entries, lines };
  } finally {
    await store.close();
    rmSync(dirname(copy), { recursive: true, force: true });
  }
}

/** `suanli audit proof SEQ`: the entry, proven into the signed head with the pinned key. */
export async function proveEntry(
  client: ApiClient,
  seq: number,
  env: Env,
): Promise<{ ok: boolean; entry?: AuditEntry; lines: readonly string[] }> {
  const path = pinsPath(env);
  const pins = readPins(path);
  const key = await client.auditKey();
  const pin = pins[client.baseUrl];
  if (pin && pin.publicKey !== key.publicKey) {
    return {
      ok: false,
      lines: [
        `BROKEN: the log's key changed (pinned ${pin.publicKey}, now ${key.publicKey}) in ${path}; ${repinHint(client.baseUrl)}`,
      ],
    };
  }
  const pinned = pin?.publicKey ?? key.publicKey;
  const head = await client.auditHead();
  const proof = await client.inclusionProof(seq, head.treeSize);
  const bad = checkInclusion(proof, head, pinned);
  if (bad) return { ok: false, lines: [`BROKEN: ${bad}`] };
  return {
    ok: true,
    entry: proof.entry,
    lines: [
      `entry ${seq} (${proof.entry.kind} ${proof.entry.subject}) is in the signed tree of ${head.treeSize} entries, root ${head.rootHash}`,
      `audit path: ${proof.proof.length} hashes, checked here with key ${pinned}`,
    ],
  };
}
