import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type SqliteDatabase, SqliteDialect } from 'kysely';
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
  const store = new KyselyStore(new Kysely<Database>({ dialect: new SqliteDialect({ database: cached(database) }) }));
  // Reading someone else's store (an auditor's copy) leaves its schema as it is.
  if (options.migrate !== false) await store.migrate();
  return store;
}

/** Statements kept at most; a query whose text varies (a list of n ids) could otherwise grow it without end. */
const STATEMENTS = 512;

/**
 * The database with its prepared statements kept by SQL text: Kysely prepares every query anew,
 * and preparing costs as much as running a small one. A statement still iterating (`busy`) is not
 * handed out again.
 */
function cached(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      const hit = statements.get(sql);
      if (hit && !hit.busy) return hit;
      const statement = database.prepare(sql);
      if (statements.size >= STATEMENTS) statements.clear();
      statements.set(sql, statement);
      return statement;
    },
  };
}
