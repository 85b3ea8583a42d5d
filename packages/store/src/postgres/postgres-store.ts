import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { KyselyStore } from '../kysely-store.ts';
import type { Database } from '../schema.ts';

/** The lock that serialises appends to the audit chain across connections and processes (per schema). */
const AUDIT_LOCK = 0x5a11;
/** The lock the scheduling process holds (per schema). */
const LEADER_LOCK = 0x5a12;

/**
 * The Store on PostgreSQL (`DATABASE_URL`): the same Kysely code as SQLite, with row locks for
 * compare-and-set and a transaction-scoped advisory lock around every audit append, so several
 * server processes on one database keep one gap-free chain.
 */
export class PostgresStore extends KyselyStore {
  private leader: pg.Client | undefined;
  private readonly connect: () => pg.Client;

  constructor(db: Kysely<Database>, connect: () => pg.Client) {
    super(db, {
      lockAudit: async (trx) => {
        await sql`select pg_advisory_xact_lock(${AUDIT_LOCK}, hashtext(current_schema()))`.execute(trx);
      },
    });
    this.connect = connect;
  }

  protected override async lockJob(trx: Transaction<Database>, id: string) {
    return trx.selectFrom('jobs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /**
   * Leadership is a session-level advisory lock on a connection of its own: held while this process
   * and its connection live, released by PostgreSQL the moment either dies, so a standby takes over
   * at its next try.
   */
  override async holdLeadership(): Promise<boolean> {
    if (this.leader) return true;
    const client = this.connect();
    try {
      await client.connect();
      const r = await client.query<{ ok: boolean }>(
        'select pg_try_advisory_lock($1, hashtext(current_schema())) as ok',
        [LEADER_LOCK],
      );
      if (r.rows[0]?.ok) {
        client.on('error', () => {
          this.leader = undefined;
        });
        this.leader = client;
        return true;
      }
    } catch {
      // Unreachable database: not the leader now; the next try may be.
    }
    await client.end().catch(() => {});
    return false;
  }

  override async close(): Promise<void> {
    const leader = this.leader;
    this.leader = undefined;
    await leader?.end().catch(() => {});
    await super.close();
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
  const store = new PostgresStore(
    db,
    () =>
      new pg.Client({
        connectionString: url,
        ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
      }),
  );
  await store.migrate(options.schema);
  return store;
}
