import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEntry,
  AuditLog,
  checkConsistency,
  checkInclusion,
  generateLogKey,
  isSuanliError,
  LOG_KEY_KIND,
  type Store,
  verifyAuditChain,
} from '@suanli/service';
import { openSqliteStore } from '@suanli/store';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { flipAuditLeaf, garbleData } from '../packages/cli/src/audit.fixture.ts';

const clock = { nowS: () => 1_795_392_000 };

async function filledLog(n: number) {
  const path = join(mkdtempSync(join(tmpdir(), 'suanli-audit-')), 'suanli.db');
  const store = await openSqliteStore(path);
  for (let i = 1; i <= n; i++) {
    await store.appendAudit({ atS: 1000 + i, kind: 'job.submitted', subject: `j-${i}`, data: { i } });
  }
  const { key } = generateLogKey();
  return { path, store, key, log: new AuditLog(store, key, clock) };
}

describe('the audit log as a Merkle tree (real SQLite file)', () => {
  it('proves every entry into a signed head, and each head consistent with the next', async () => {
    const { store, key, log } = await filledLog(13);
    const head13 = await log.head();
    expect(head13.treeSize).toBe(13);
    for (let seq = 1; seq <= 13; seq++) {
      expect(checkInclusion(await log.inclusionProof(seq), head13, key.publicKey)).toBeUndefined();
    }
    for (let i = 14; i <= 20; i++)
      await store.appendAudit({ atS: 2000, kind: 'model.filed', subject: `m-${i}`, data: {} });
    const head20 = await log.head();
    expect(head20.treeSize).toBe(20);
    expect(checkConsistency(head13, head20, await log.consistencyProof(13, 20), key.publicKey)).toBeUndefined();
    // A proof against an old head still works for old entries.
    expect(checkInclusion(await log.inclusionProof(5, 13), head13, key.publicKey)).toBeUndefined();
    await store.close();
  });

  it('finds an edit, a deletion, an insertion and a reordering made behind its back', async () => {
    for (const tamper of ['edit', 'delete', 'insert', 'reorder'] as const) {
      const { path, store, key, log } = await filledLog(10);
      const pinned = await log.head();
      await store.close();
      const db = new Database(path);
      if (tamper === 'edit') db.prepare(`UPDATE audit SET data = '{"i":99}' WHERE seq = 4`).run();
      if (tamper === 'delete') db.prepare('DELETE FROM audit WHERE seq = 10').run();
      if (tamper === 'insert') {
        db.prepare('UPDATE audit SET seq = seq + 100 WHERE seq >= 6').run();
        db.prepare('UPDATE audit SET seq = seq - 99 WHERE seq >= 106').run();
        db.prepare(
          `INSERT INTO audit (seq, at_s, kind, subject, data, prev_hash, hash) VALUES (6, 1, 'job.approved', 'x', '{}', '', '')`,
        ).run();
      }
      if (tamper === 'reorder') {
        db.prepare(
          `UPDATE audit SET subject = CASE seq WHEN 2 THEN 'j-3' WHEN 3 THEN 'j-2' END WHERE seq IN (2, 3)`,
        ).run();
      }
      db.close();
      const reopened = await openSqliteStore(path);
      const fresh = new AuditLog(reopened, key, clock);
      const now = await fresh.head();
      const problem =
        now.treeSize < pinned.treeSize
          ? checkConsistency(pinned, now, { first: pinned.treeSize, second: now.treeSize, proof: [] }, key.publicKey)
          : checkConsistency(pinned, now, await fresh.consistencyProof(pinned.treeSize), key.publicKey);
      expect(problem, tamper).toMatch(/shrank|rewritten/);
      await reopened.close();
    }
  });

  it('refuses heads and proofs not signed by the pinned key', async () => {
    const { store, log } = await filledLog(4);
    const head = await log.head();
    const other = generateLogKey().key.publicKey;
    expect(checkInclusion(await log.inclusionProof(2), head, other)).toMatch(/not signed/);
    await store.close();
  });
});

/** Every entry of a store, page by page, as the verifiers read it. */
function pages(store: Store, limit = 5000): AsyncIterable<readonly AuditEntry[]> {
  return {
    async *[Symbol.asyncIterator]() {
      for (let from = 1; ; ) {
        const page = await store.listAudit(from, limit);
        if (page.length === 0) return;
        yield page;
        from = (page.at(-1)?.seq ?? from) + 1;
      }
    },
  };
}

describe('the log records the key it signs with', () => {
  it('writes a log.key entry on the first start and after the key changed, never twice for one key', async () => {
    const { store, key, log } = await filledLog(3);
    const first = await log.recordKey();
    expect(first).toMatchObject({ seq: 4, kind: LOG_KEY_KIND, subject: 'suanli', data: { publicKey: key.publicKey } });
    expect(first?.data).not.toHaveProperty('previous');
    expect(await log.recordKey()).toBeUndefined();
    // A restart with the same key (a fresh AuditLog reads the log back): nothing new.
    expect(await new AuditLog(store, key, clock).recordKey()).toBeUndefined();
    // A replaced key is recorded with the one it replaces; the head is signed by the new key.
    const other = generateLogKey().key;
    const rotated = new AuditLog(store, other, clock);
    expect(await rotated.recordKey()).toMatchObject({
      seq: 5,
      data: { publicKey: other.publicKey, previous: key.publicKey },
    });
    expect((await rotated.head()).treeSize).toBe(5);
    expect(await verifyAuditChain(pages(store))).toMatchObject({ ok: true, entries: 5 });
    await store.close();
  });
});

describe('a damaged audit store (real SQLite file)', () => {
  it('names the entry whose data is not JSON; the entries before it read back; the chain breaks there', async () => {
    const { path, store } = await filledLog(6);
    await store.close();
    garbleData(path, 4);
    const reopened = await openSqliteStore(path);
    expect((await reopened.listAudit(1, 100)).map((e) => e.seq)).toEqual([1, 2, 3]);
    const err = await reopened.listAudit(4, 100).catch((e: unknown) => e);
    expect(isSuanliError(err) && err.code).toBe('AUDIT_CORRUPT');
    expect((err as Error).message).toMatch(/^audit entry 4 is damaged: its data is not valid JSON/);
    expect(await verifyAuditChain(pages(reopened, 2))).toMatchObject({
      ok: false,
      entries: 3,
      firstBadSeq: 4,
      problem: expect.stringMatching(/audit entry 4 is damaged/),
    });
    // The tree stops where the store does: a head is refused, never signed over a part of the log.
    const log = new AuditLog(reopened, generateLogKey().key, clock);
    await expect(log.head()).rejects.toMatchObject({ code: 'AUDIT_CORRUPT' });
    await reopened.close();
  });

  it('reads up to a page of the file whose bytes were flipped, then says where reading stops', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'suanli-audit-')), 'suanli.db');
    const store = await openSqliteStore(path);
    for (let i = 1; i <= 400; i++) {
      await store.appendAudit({ atS: i, kind: 'job.submitted', subject: `j-${i}`, data: { i, pad: 'x'.repeat(100) } });
    }
    await store.close();
    const damagedFrom = flipAuditLeaf(path);
    const reopened = await openSqliteStore(path);
    expect(await verifyAuditChain(pages(reopened))).toMatchObject({
      ok: false,
      entries: damagedFrom - 1,
      firstBadSeq: damagedFrom,
      problem: expect.stringMatching(
        new RegExp(`^the audit store cannot be read from entry ${damagedFrom} on: .*\\(SQLITE_CORRUPT`),
      ),
    });
    await reopened.close();
  });
});
