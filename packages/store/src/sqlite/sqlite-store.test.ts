import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { storeContract } from '../store.contract.ts';
import { openSqliteStore } from './sqlite-store.ts';

let path = '';
storeContract('sqlite (a real file)', {
  open: () => {
    path = join(mkdtempSync(join(tmpdir(), 'suanli-store-')), 'suanli.db');
    return openSqliteStore(path);
  },
  reopen: () => openSqliteStore(path),
});

describe('sqlite query plans', () => {
  it('lists the newest jobs from an index, without sorting the table', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'suanli-store-')), 'suanli.db');
    await (await openSqliteStore(file)).close();
    const db = new SQLite(file, { readonly: true });
    try {
      const plan = (sql: string) =>
        (db.prepare(`explain query plan ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
      const newest = plan('select * from jobs order by submitted_at_s desc, id desc limit 200');
      expect(newest).toContain('jobs_submitted');
      expect(newest).not.toContain('TEMP B-TREE');
      const ofTenant = plan("select * from jobs where tenant = 't' order by submitted_at_s desc, id desc limit 200");
      expect(ofTenant).toContain('jobs_tenant');
    } finally {
      db.close();
    }
  });
});
