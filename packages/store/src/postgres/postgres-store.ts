import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { KyselyStore } from '../kysely-store.ts';
import type { Database } from '../schema.ts';

/** The lock that serialises appends to the audit chain across connections and processes (per schema). */
const AUDIT_LOCK = 0x5a11;
/** The lock the scheduling process holds (per schema). */
const LEADER_LOCK = 0x5a12;

/** A connection that may hold the leadership, and why it broke, once it has. */
interface LeaderConnection {
  readonly client: pg.Client;
  error?: Error;
}

/**
 * The Store on PostgreSQL (`DATABASE_URL`): the same Kysely code as SQLite, with row locks for
 * compare-and-set and a transaction-scoped advisory lock around every audit append, so several
 * server processes on one database keep one gap-free chain.
 */
export class PostgresStore extends KyselyStore {
  private leader: LeaderConnection | undefined;
  /** How the leader's connections are opened (see `postgresConnectionConfig`). */
  private readonly leaderConfig: pg.ClientConfig;

  constructor(db: Kysely<Database>, leaderConfig: pg.ClientConfig) {
    super(db, {
      lockAudit: async (trx) => {
        await sql`select pg_advisory_xact_lock(${AUDIT_LOCK}, hashtext(current_schema()))`.execute(trx);
      },
    });
    this.leaderConfig = leaderConfig;
  }

  protected override async lockJob(trx: Transaction<Database>, id: string) {
    return trx.selectFrom('jobs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /**
   * Leadership is a session-level advisory lock on a connection of its own: held while this process
   * and its connection live, released by PostgreSQL the moment either dies, so a standby takes over
   * at its next try. Each call checks the connection is still alive. Throws when the election
   * cannot be held (PostgreSQL unreachable) or when the leadership was just lost (the connection
   * broke): the caller is then not the leader, and may try again later.
   */
  override async holdLeadership(): Promise<boolean> {
    return this.leader ? this.stillLeading(this.leader) : this.tryToLead();
  }

  /** True while the leader's connection answers; else it is dropped and the loss thrown. */
  private async stillLeading(leader: LeaderConnection): Promise<boolean> {
    try {
      await leader.client.query('select 1');
      return true;
    } catch (e) {
      this.leader = undefined;
      await leader.client.end();
      const why = leader.error ?? (e as Error);
      throw new Error(`lost the leadership: its PostgreSQL connection broke (${why.message})`, { cause: why });
    }
  }

  /** Opens a connection and takes the leader lock on it if nobody holds it; false if somebody does. */
  private async tryToLead(): Promise<boolean> {
    const leader: LeaderConnection = { client: new pg.Client(this.leaderConfig) };
    // Without a listener a broken idle connection would crash the process; its error is reported
    // by the next call (stillLeading).
    leader.client.on('error', (e: Error) => {
      leader.error ??= e; // the first says why (PostgreSQL's own message); "terminated unexpectedly" follows
    });
    let held: boolean;
    try {
      await connectOrExplain(leader.client, this.leaderConfig);
      const r = await leader.client.query<{ ok: boolean }>(
        'select pg_try_advisory_lock($1, hashtext(current_schema())) as ok',
        [LEADER_LOCK],
      );
      held = r.rows[0]?.ok === true;
    } catch (e) {
      await leader.client.end();
      throw new Error(`leader election failed: ${(e as Error).message}`, { cause: e });
    }
    if (!held) {
      await leader.client.end();
      return false;
    }
    this.leader = leader;
    return true;
  }

  override async close(): Promise<void> {
    const leader = this.leader;
    this.leader = undefined;
    try {
      await leader?.client.end();
    } finally {
      await super.close();
    }
  }
}

/** Defaults of the PostgresOptions timeouts. */
export const POSTGRES_DEFAULTS = {
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
  idleInTransactionTimeoutMs: 60_000,
  applicationName: 'suanli',
} as const;

export interface PostgresOptions {
  /** A schema to use (created if missing): tests give each store its own. Default: the user's search path. */
  readonly schema?: string;
  readonly maxConnections?: number;
  /** Longest wait for a new connection, TCP and login together (default 5 s); then it fails, naming the server. */
  readonly connectTimeoutMs?: number;
  /** PostgreSQL cancels a statement that runs longer, waiting on a lock included (statement_timeout; default 30 s). */
  readonly statementTimeoutMs?: number;
  /** PostgreSQL ends a session idle inside a transaction this long (idle_in_transaction_session_timeout; default 60 s). */
  readonly idleInTransactionTimeoutMs?: number;
  /** The name its connections show in pg_stat_activity; the leader's gets " leader" after it (default `suanli`). */
  readonly applicationName?: string;
  /**
   * Told when PostgreSQL drops an idle pooled connection (a restart, a terminated backend): the pool
   * opens another when one is needed. Default: a process warning (stderr).
   */
  readonly onWarning?: (message: string, error: unknown) => void;
}

/**
 * The settings of a connection the store opens: server, schema, application name and timeouts.
 * The leader's connection runs only instant queries, so a peer that does not answer them within
 * the connect timeout is taken as gone.
 */
export function postgresConnectionConfig(
  url: string,
  options: PostgresOptions = {},
  purpose: 'pool' | 'leader' = 'pool',
): pg.ClientConfig {
  const connectTimeoutMs = options.connectTimeoutMs ?? POSTGRES_DEFAULTS.connectTimeoutMs;
  const name = options.applicationName ?? POSTGRES_DEFAULTS.applicationName;
  return {
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs,
    idle_in_transaction_session_timeout:
      options.idleInTransactionTimeoutMs ?? POSTGRES_DEFAULTS.idleInTransactionTimeoutMs,
    application_name: purpose === 'leader' ? `${name} leader` : name,
    ...(purpose === 'leader' ? { query_timeout: connectTimeoutMs } : {}),
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
  };
}

export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
    throw new Error(`not a schema name: ${options.schema}`);
  }
  const config = postgresConnectionConfig(url, options);
  await prepare(config, options.schema);
  const pool = new pg.Pool({ ...config, max: options.maxConnections ?? 10 });
  const warn = options.onWarning ?? ((message, error) => process.emitWarning(`${message}: ${String(error)}`));
  // A pooled connection that breaks emits 'error'; unheard, that would crash the process. An idle
  // one is reported here (the pool drops it); one in use fails the query using it, which throws to
  // its caller, and the pool drops it when it comes back.
  pool.on('error', (e) => warn('PostgreSQL dropped an idle pooled connection', e));
  pool.on('connect', (client) => client.on('error', reportedByItsQuery));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const store = new PostgresStore(db, postgresConnectionConfig(url, options, 'leader'));
  // Migrations may take longer than a statement may: they run on a connection of their own, without the timeout.
  const migrations = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ ...config, max: 1, statement_timeout: 0 }) }),
  });
  try {
    await new KyselyStore(migrations).migrate(options.schema);
    // One pooled connection ready for the first call.
    await sql`select 1`.execute(db);
  } catch (e) {
    await store.close();
    throw e;
  } finally {
    await migrations.destroy();
  }
  return store;
}

/** A connection in use that breaks: its query has the error, and throws it to its caller. */
function reportedByItsQuery(): void {}

/** Connects once, so an unreachable server fails the open with a clear error, and creates the schema if asked. */
async function prepare(config: pg.ClientConfig, schema: string | undefined): Promise<void> {
  const client = new pg.Client(config);
  try {
    await connectOrExplain(client, config);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    await client.end();
  }
}

/** Connects the client; a failure says which server and the connect timeout. */
async function connectOrExplain(client: pg.Client, config: pg.ClientConfig): Promise<void> {
  try {
    await client.connect();
  } catch (e) {
    const timeoutMs = config.connectionTimeoutMillis;
    throw new Error(
      `cannot connect to PostgreSQL at ${client.host}:${client.port}/${client.database ?? ''}` +
        `${timeoutMs ? ` (connect timeout ${timeoutMs} ms)` : ''}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
