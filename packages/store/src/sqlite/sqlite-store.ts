import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KyselyStore } from '../kysely-store.ts';
import type { Database } from '../schema.ts';

/**
 * The embedded store: one SQLite file. WAL with `synchronous = FULL`, so a commit is on disk before
 * the call returns (a job is durable before the API answers).
 */
export async function openSqliteStore(path: string, options: { migrate?: boolean } = {}): Promise<KyselyStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SQLite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const store = new KyselyStore(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }));
  // Reading someone else's store (an auditor's copy) leaves its schema as it is.
  if (options.migrate !== false) await store.migrate();
  return store;
}
