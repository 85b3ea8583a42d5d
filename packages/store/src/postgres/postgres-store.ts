import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { KyselyStore } from '../kysely-store.ts';
import type { Database } from '../schema.ts';

/** The lock that serialises appends to the audit chain across connections and processes. */
const AUDIT_LOCK = 0x5a11;

/**
 * The Store on PostgreSQL (`DATABASE_URL`): the same Kysely code as SQLite, with row locks for
 * compare-and-set and a transaction-scoped advisory lock around every audit append, so several
 * server processes on one database keep one gap-free chain.
 */
export class PostgresStore extends KyselyStore {
  protected override async lockJob(trx: Transaction<Database>, id: string) {
    return trx.selectFrom('jobs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }
}

export interface PostgresOptions {
  /** A schema to use (created if missing): tests give each store its own. Default: the user's search path. */
  readonly schema?: string;
  readonly maxConnections?: number;
}

export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
    throw new Error(`not a schema name: ${options.schema}`);
  }
  if (options.schema !== undefined) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const store = new PostgresStore(db, {
    lockAudit: async (trx) => {
      await sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
    },
  });
  await store.migrate(options.schema);
  return store;
}
