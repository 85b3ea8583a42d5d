import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, checkConsistency, checkInclusion, generateLogKey } from '@suanli/service';
import { openSqliteStore } from '@suanli/store';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

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
