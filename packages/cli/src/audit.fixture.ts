import { closeSync, cpSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditHash, canonicalJson, GENESIS_HASH } from '@suanli/service';
import Database from 'better-sqlite3';

/** What someone holding a data folder can do to it behind the server's back (tests of the audit checks). */

/** A copy of a data folder (the server closed, so its SQLite file is whole). */
export function copyData(dir: string): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'suanli-copy-')), 'data');
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/** Cuts the log after entry `keep`. */
export function truncateLog(dbPath: string, keep: number): void {
  const db = new Database(dbPath);
  db.prepare('DELETE FROM audit WHERE seq > ?').run(keep);
  db.close();
}

/**
 * Rewrites entry `seq`'s subject and re-hashes the whole chain after it: a log rewritten by someone
 * who knows how it is hashed. Every chain and Merkle check on the file alone passes.
 */
export function rehashLog(dbPath: string, seq: number, subject: string): void {
  const db = new Database(dbPath);
  const rows = db.prepare('SELECT seq, at_s, kind, subject, data FROM audit ORDER BY seq').all() as {
    seq: number;
    at_s: number;
    kind: string;
    subject: string;
    data: string;
  }[];
  const update = db.prepare('UPDATE audit SET subject = ?, prev_hash = ?, hash = ? WHERE seq = ?');
  let prev = GENESIS_HASH;
  for (const r of rows) {
    const s = r.seq === seq ? subject : r.subject;
    const hash = auditHash(prev, r.seq, { atS: r.at_s, kind: r.kind, subject: s, data: JSON.parse(r.data) });
    update.run(s, prev, hash, r.seq);
    prev = hash;
  }
  db.close();
}

/**
 * Rewrites every `log.key` entry to name `publicKey` and re-hashes the chain: what someone holding
 * the folder does after replacing its key file, so that the log and the key agree again.
 */
export function rekeyLog(dbPath: string, publicKey: string): void {
  const db = new Database(dbPath);
  const rows = db.prepare('SELECT seq, at_s, kind, subject, data FROM audit ORDER BY seq').all() as {
    seq: number;
    at_s: number;
    kind: string;
    subject: string;
    data: string;
  }[];
  const update = db.prepare('UPDATE audit SET data = ?, prev_hash = ?, hash = ? WHERE seq = ?');
  let prev = GENESIS_HASH;
  for (const r of rows) {
    const data = JSON.parse(r.data) as Record<string, unknown>;
    if (r.kind === 'log.key') data['publicKey'] = publicKey;
    const hash = auditHash(prev, r.seq, { atS: r.at_s, kind: r.kind, subject: r.subject, data });
    update.run(canonicalJson(data), prev, hash, r.seq);
    prev = hash;
  }
  db.close();
}

/** Replaces one entry's data column with bytes that are not JSON. */
export function garbleData(dbPath: string, seq: number): void {
  const db = new Database(dbPath);
  db.prepare('UPDATE audit SET data = ? WHERE seq = ?').run('{"broken":true', seq);
  db.close();
}

/**
 * Overwrites the header of the audit table's middle leaf page with 0xff bytes (the file closed and
 * checkpointed); returns the first entry on that page, where reading stops.
 */
export function flipAuditLeaf(dbPath: string): number {
  const db = new Database(dbPath);
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const leaves = db
    .prepare(`SELECT pageno FROM dbstat WHERE name = 'audit' AND pagetype = 'leaf' ORDER BY pageno`)
    .all() as { pageno: number }[];
  const page = leaves[Math.floor(leaves.length / 2)];
  if (!page || leaves.length < 3) throw new Error('the audit table needs a few leaf pages');
  // Rows are appended in seq order, so the cells of the leaves before this one are the entries before it.
  const before = db
    .prepare(`SELECT sum(ncell) AS n FROM dbstat WHERE name = 'audit' AND pagetype = 'leaf' AND pageno < ?`)
    .get(page.pageno) as { n: number };
  db.close();
  flipBytes(dbPath, (page.pageno - 1) * pageSize);
  return before.n + 1;
}

/** Overwrites 8 bytes at `offset` with 0xff (offset 0: the file is no SQLite database any more). */
export function flipBytes(path: string, offset: number): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(8, 0xff), 0, 8, offset);
  closeSync(fd);
}
