import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  type AuditEntry,
  auditLeafHash,
  checkConsistency,
  checkInclusion,
  logKeyFromPem,
  MerkleTree,
  type SignedTreeHead,
  SuanliError,
  verifyAuditChain,
  verifyTreeHead,
} from '@suanli/service';
import { openSqliteStore } from '@suanli/store';
import type { ApiClient } from './client.ts';

/**
 * What this machine has seen of each log: its key and its latest signed head, as SSH's
 * known_hosts: the first use pins the key, and every later check must extend the pinned head.
 */
interface Pin {
  readonly logId: string;
  readonly publicKey: string;
  readonly head?: SignedTreeHead;
}

type Pins = Record<string, Pin>;

export function pinsPath(env: Readonly<Record<string, string | undefined>>): string {
  return join(env['SUANLI_HOME'] ?? join(env['HOME'] ?? homedir(), '.suanli'), 'known-logs.json');
}

function readPins(path: string): Pins {
  if (!existsSync(path)) return {};
  return JSON.parse(readFileSync(path, 'utf8')) as Pins;
}

function writePins(path: string, pins: Pins): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(pins, null, 2)}\n`);
}

export interface LogCheck {
  readonly ok: boolean;
  readonly entries: number;
  readonly lines: readonly string[];
}

const hex = (h: Uint8Array) => Buffer.from(h).toString('hex');

/** Recomputes the chain and the Merkle tree of all entries; the tree for further checks. */
async function recompute(
  pages: AsyncIterable<readonly AuditEntry[]>,
): Promise<{ tree: MerkleTree; problem?: string; entries: number }> {
  const tree = new MerkleTree();
  const chain = await verifyAuditChain({
    async *[Symbol.asyncIterator]() {
      for await (const page of pages) {
        for (const e of page) tree.append(auditLeafHash(e));
        yield page;
      }
    },
  });
  return chain.ok
    ? { tree, entries: chain.entries }
    : { tree, entries: chain.entries, problem: `entry ${chain.firstBadSeq}: ${chain.problem}` };
}

/** Checks a pinned head against the recomputed tree: the log must extend it. */
function extendsPinned(tree: MerkleTree, pinned: SignedTreeHead | undefined): string | undefined {
  if (!pinned) return undefined;
  if (pinned.treeSize > tree.size) {
    return `the log has ${tree.size} entries, fewer than the ${pinned.treeSize} of the head pinned before: entries were removed`;
  }
  if (hex(tree.root(pinned.treeSize)) !== pinned.rootHash) {
    return `the first ${pinned.treeSize} entries no longer hash to the head pinned before: history was rewritten`;
  }
  return undefined;
}

/**
 * `suanli audit verify`: the client trusts only the key it pinned. It fetches the signed head,
 * checks its signature, recomputes the hash chain and the Merkle tree from every entry, compares
 * the root, and checks the log still extends the head it pinned last time (locally and with the
 * server's consistency proof). Then it pins the new head.
 */
export async function verifyRemoteLog(
  client: ApiClient,
  env: Readonly<Record<string, string | undefined>>,
): Promise<LogCheck> {
  const path = pinsPath(env);
  const pins = readPins(path);
  const key = await client.auditKey();
  const pin = pins[client.baseUrl];
  const lines: string[] = [];
  const fail = (why: string, entries = 0): LogCheck => ({ ok: false, entries, lines: [...lines, `BROKEN: ${why}`] });
  if (pin && pin.publicKey !== key.publicKey) {
    return fail(`the log's key changed (pinned ${pin.publicKey}, now ${key.publicKey}) in ${path}`);
  }
  if (!pin) lines.push(`pinned log key ${key.publicKey} (first use) in ${path}`);
  const head = await client.auditHead();
  if (!verifyTreeHead(head, key.publicKey)) return fail('the tree head is not signed by the pinned key');

  const { tree, problem, entries } = await recompute({
    async *[Symbol.asyncIterator]() {
      let from = 1;
      for (;;) {
        const page = await client.audit(from, 5000);
        if (page.length === 0) return;
        yield page;
        from = (page[page.length - 1]?.seq ?? from) + 1;
      }
    },
  });
  if (problem) return fail(problem, entries);
  if (head.treeSize > tree.size) return fail(`the head covers ${head.treeSize} entries, the log serves ${tree.size}`);
  if (hex(tree.root(head.treeSize)) !== head.rootHash) {
    return fail(`the entries do not hash to the signed head of ${head.treeSize}`, entries);
  }
  const rewritten = extendsPinned(tree, pin?.head);
  if (rewritten) return fail(rewritten, entries);
  if (pin?.head) {
    const proof = await client.consistencyProof(pin.head.treeSize, head.treeSize);
    const bad = checkConsistency(pin.head, head, proof, key.publicKey);
    if (bad) return fail(bad, entries);
    lines.push(`consistent with the head pinned before (${pin.head.treeSize} entries)`);
  }
  pins[client.baseUrl] = { logId: key.logId, publicKey: key.publicKey, head };
  writePins(path, pins);
  lines.unshift(`audit log OK: ${entries} entries, chain intact, signed tree head ${head.rootHash} (${head.treeSize})`);
  return { ok: true, entries, lines };
}

/**
 * `suanli audit verify --data DIR`: the same checks offline, on the store file itself, for an
 * auditor with a copy of the data folder: chain, Merkle root, and the heads pinned for this log's key.
 */
export async function verifyOfflineLog(
  dataDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<LogCheck> {
  const dbPath = join(dataDir, 'suanli.db');
  if (!existsSync(dbPath)) throw new SuanliError('INVALID_FIELD', `no Suanli store at ${dbPath}`, { field: '--data' });
  const keyPath = join(dataDir, 'audit-ed25519.pem');
  const publicKey = existsSync(keyPath) ? logKeyFromPem(readFileSync(keyPath, 'utf8')).publicKey : undefined;
  const store = await openSqliteStore(dbPath);
  try {
    const { tree, problem, entries } = await recompute({
      async *[Symbol.asyncIterator]() {
        let from = 1;
        for (;;) {
          const page = await store.listAudit(from, 5000);
          if (page.length === 0) return;
          yield page;
          from = (page[page.length - 1]?.seq ?? from) + 1;
        }
      },
    });
    const lines: string[] = [];
    if (problem) return { ok: false, entries, lines: [`BROKEN: ${problem}`] };
    for (const [url, pin] of Object.entries(readPins(pinsPath(env)))) {
      if (pin.publicKey !== publicKey || !pin.head) continue;
      const bad = extendsPinned(tree, pin.head);
      if (bad) return { ok: false, entries, lines: [`BROKEN: ${bad} (head pinned from ${url})`] };
      lines.push(`extends the head pinned from ${url} (${pin.head.treeSize} entries)`);
    }
    lines.unshift(`audit log OK: ${entries} entries, chain intact, Merkle root ${hex(tree.root())}`);
    return { ok: true, entries, lines };
  } finally {
    await store.close();
  }
}

/** `suanli audit proof SEQ`: the entry, proven into the signed head with the pinned key. */
export async function proveEntry(
  client: ApiClient,
  seq: number,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ ok: boolean; entry?: AuditEntry; lines: readonly string[] }> {
  const pins = readPins(pinsPath(env));
  const key = await client.auditKey();
  const pinned = pins[client.baseUrl]?.publicKey ?? key.publicKey;
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
