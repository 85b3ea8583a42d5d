import { randomUUID } from 'node:crypto';
import {
  type AuditEntry,
  type AuditEvent,
  canonicalJson,
  chainEntry,
  type GrantKind,
  type GrantRecord,
  type HistorySample,
  JOB_STATES,
  type JobFilter,
  type JobPatch,
  type JobRecord,
  type JobState,
  type Role,
  type Store,
  type StoredModelAudit,
  type TokenRecord,
} from '@suanli/service';
import { type Insertable, type Kysely, Migrator, type Selectable, sql, type Transaction } from 'kysely';
import { auditEntryFromRow, damagedFrom, isDamagedStorage } from './audit-row.ts';
import { compactHistory, putHistory, readHistory } from './history.ts';
import { migrationProvider } from './migrations/all-migrations.ts';
import type { Database } from './schema.ts';

type Row = Database['jobs'];

function toToken(r: Selectable<Database['tokens']>): TokenRecord {
  return {
    tokenHash: r.token_hash,
    name: r.name,
    role: r.role as Role,
    ...(r.tenant !== null ? { tenant: r.tenant } : {}),
    ...(r.operator !== null && r.operator !== undefined ? { operator: r.operator } : {}),
    createdAtS: r.created_at_s,
    ...(r.expires_at_s !== null ? { expiresAtS: r.expires_at_s } : {}),
    ...(r.revoked_at_s !== null ? { revokedAtS: r.revoked_at_s } : {}),
  };
}

function toGrant(r: Selectable<Database['grants']>): GrantRecord {
  return {
    id: r.id,
    kind: r.resource_kind as GrantKind,
    resource: r.resource,
    owner: r.owner,
    grantee: r.grantee,
    createdAtS: r.created_at_s,
    createdBy: r.created_by,
    ...(r.revoked_at_s !== null ? { revokedAtS: r.revoked_at_s } : {}),
  };
}

/**
 * The Store on any Kysely dialect. Rows keep the queried fields as columns and the rest of the
 * record as JSON; every state change and its audit entry share one transaction.
 */
export class KyselyStore implements Store {
  protected readonly db: Kysely<Database>;

  /** Serialises the writers of the audit chain (PostgreSQL: an advisory lock; SQLite has one writer). */
  private readonly lockAudit: (trx: Transaction<Database>) => Promise<void>;

  constructor(db: Kysely<Database>, options: { lockAudit?: (trx: Transaction<Database>) => Promise<void> } = {}) {
    this.db = db;
    this.lockAudit = options.lockAudit ?? (async () => {});
  }

  /** Brings the schema to the newest version; throws (and changes nothing more) if a step fails. */
  async migrate(schema?: string): Promise<void> {
    const migrator = new Migrator({
      db: this.db,
      provider: migrationProvider,
      // Where the migrator keeps its own tables, when the store lives in a schema of its own.
      ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new Error(`store migration ${failed} failed`, { cause: error });
    }
  }

  /** Group commit (see `grouped`): concurrent submissions share a transaction and its fsync. */
  async insertJob(job: JobRecord, event: AuditEvent): Promise<void> {
    await this.grouped(async (trx) => {
      await trx.insertInto('jobs').values(toRow(job)).execute();
      await appendAudit(trx, event);
    });
  }

  /**
   * Group commit for independent writes: those that arrive while a transaction is being written
   * run together in the next one, each inside a savepoint, so one that fails (a duplicate id) is
   * undone alone. Every call returns only once its write is committed — durable as before, with
   * one fsync shared by the batch instead of one each.
   */
  private grouped<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pendingWrites.push({
        work: work as (trx: Transaction<Database>) => Promise<unknown>,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      if (!this.writing) this.writing = this.flushWrites();
    });
  }

  private readonly pendingWrites: {
    work: (trx: Transaction<Database>) => Promise<unknown>;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private writing: Promise<void> | undefined;

  private async flushWrites(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    while (this.pendingWrites.length > 0) {
      const batch = this.pendingWrites.splice(0, 500);
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      try {
        await this.db.transaction().execute(async (trx) => {
          await this.lockAudit(trx);
          for (const item of batch) {
            await sql`savepoint grouped_write`.execute(trx);
            try {
              const value = await item.work(trx);
              await sql`release savepoint grouped_write`.execute(trx);
              outcomes.push({ ok: true, value });
            } catch (error) {
              await sql`rollback to savepoint grouped_write`.execute(trx);
              await sql`release savepoint grouped_write`.execute(trx);
              outcomes.push({ ok: false, error });
            }
          }
        });
      } catch (e) {
        for (const item of batch) item.reject(e);
        continue;
      }
      batch.forEach((item, i) => {
        const o = outcomes[i];
        if (o?.ok) item.resolve(o.value);
        else item.reject(o ? o.error : new Error('write not attempted'));
      });
    }
    this.writing = undefined;
  }

  async insertModelAudit(audit: StoredModelAudit, event: AuditEvent): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.lockAudit(trx);
      await trx
        .insertInto('model_audits')
        .values({
          id: `${String(Math.round(audit.atS * 1000)).padStart(16, '0')}-${randomUUID()}`,
          model_id: audit.modelId,
          at_s: audit.atS,
          record: JSON.stringify(audit),
        })
        .execute();
      await appendAudit(trx, event);
    });
  }

  async listModelAudits(modelId?: string): Promise<StoredModelAudit[]> {
    let q = this.db.selectFrom('model_audits').select('record').orderBy('id');
    if (modelId !== undefined) q = q.where('model_id', '=', modelId);
    return (await q.execute()).map((r) => JSON.parse(r.record) as StoredModelAudit);
  }

  async insertToken(token: TokenRecord, event: AuditEvent): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.lockAudit(trx);
      await trx
        .insertInto('tokens')
        .values({
          token_hash: token.tokenHash,
          name: token.name,
          role: token.role,
          tenant: token.tenant ?? null,
          operator: token.operator ?? null,
          created_at_s: token.createdAtS,
          expires_at_s: token.expiresAtS ?? null,
          revoked_at_s: token.revokedAtS ?? null,
        })
        .execute();
      await appendAudit(trx, event);
    });
  }

  async findToken(tokenHash: string): Promise<TokenRecord | undefined> {
    const r = await this.db.selectFrom('tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r ? toToken(r) : undefined;
  }

  async listTokens(tenant?: string): Promise<TokenRecord[]> {
    let q = this.db.selectFrom('tokens').selectAll().orderBy('created_at_s').orderBy('token_hash');
    if (tenant !== undefined) q = q.where('tenant', '=', tenant);
    return (await q.execute()).map(toToken);
  }

  async revokeToken(tokenHash: string, atS: number, event: AuditEvent): Promise<TokenRecord | undefined> {
    return await this.db.transaction().execute(async (trx) => {
      await this.lockAudit(trx);
      const r = await trx
        .updateTable('tokens')
        .set({ revoked_at_s: atS })
        .where('token_hash', '=', tokenHash)
        .where('revoked_at_s', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!r) return undefined;
      await appendAudit(trx, event);
      return toToken(r);
    });
  }

  async insertGrant(grant: GrantRecord, event: AuditEvent): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.lockAudit(trx);
      await trx
        .insertInto('grants')
        .values({
          id: grant.id,
          resource_kind: grant.kind,
          resource: grant.resource,
          owner: grant.owner,
          grantee: grant.grantee,
          created_at_s: grant.createdAtS,
          created_by: grant.createdBy,
          revoked_at_s: grant.revokedAtS ?? null,
        })
        .execute();
      await appendAudit(trx, event);
    });
  }

  async listGrants(tenant?: string): Promise<GrantRecord[]> {
    let q = this.db.selectFrom('grants').selectAll().orderBy('created_at_s').orderBy('id');
    if (tenant !== undefined) q = q.where((eb) => eb.or([eb('owner', '=', tenant), eb('grantee', '=', tenant)]));
    return (await q.execute()).map(toGrant);
  }

  async revokeGrant(id: string, atS: number, event: AuditEvent): Promise<GrantRecord | undefined> {
    return await this.db.transaction().execute(async (trx) => {
      await this.lockAudit(trx);
      const r = await trx
        .updateTable('grants')
        .set({ revoked_at_s: atS })
        .where('id', '=', id)
        .where('revoked_at_s', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!r) return undefined;
      await appendAudit(trx, event);
      return toGrant(r);
    });
  }

  putHistory(samples: readonly HistorySample[]): Promise<void> {
    return putHistory(this.db, samples);
  }

  readHistory(scope: string, fromS: number, toS: number, bucketS: number): Promise<HistorySample[]> {
    return readHistory(this.db, scope, fromS, toS, bucketS);
  }

  compactHistory(beforeS: number, stepS: number, dropBeforeS: number): Promise<number> {
    return compactHistory(this.db, beforeS, stepS, dropBeforeS);
  }

  async countTokens(): Promise<number> {
    const r = await this.db
      .selectFrom('tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** One process per SQLite file: it always leads. */
  async holdLeadership(): Promise<boolean> {
    return true;
  }

  /**
   * Group commit: appends that arrive while one transaction is being written wait for it and go
   * together in the next, in arrival order. Each call still returns only once its entry is durable.
   */
  appendAudit(event: AuditEvent): Promise<AuditEntry> {
    return new Promise((resolve, reject) => {
      this.pendingAppends.push({ event, resolve, reject });
      if (!this.appending) this.appending = this.flushAppends();
    });
  }

  private readonly pendingAppends: {
    event: AuditEvent;
    resolve: (e: AuditEntry) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private appending: Promise<void> | undefined;

  private async flushAppends(): Promise<void> {
    // Let the appends issued in the same turn join this batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.pendingAppends.length > 0) {
      const batch = this.pendingAppends.splice(0, 1000);
      try {
        const entries = await this.db.transaction().execute(async (trx) => {
          await this.lockAudit(trx);
          // One read of the newest entry, the chain built here, one insert per 100 rows.
          const last = await trx
            .selectFrom('audit')
            .select(['seq', 'hash'])
            .orderBy('seq', 'desc')
            .limit(1)
            .executeTakeFirst();
          let prev = last ? { seq: Number(last.seq), hash: last.hash } : undefined;
          const out: AuditEntry[] = [];
          for (const p of batch) {
            const entry = chainEntry(prev, p.event);
            out.push(entry);
            prev = entry;
          }
          for (let i = 0; i < out.length; i += 100) {
            await trx
              .insertInto('audit')
              .values(out.slice(i, i + 100).map(auditRow))
              .execute();
          }
          return out;
        });
        batch.forEach((p, i) => {
          p.resolve(entries[i] as AuditEntry);
        });
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    this.appending = undefined;
  }

  async transitionJob(
    id: string,
    from: readonly JobState[],
    patch: JobPatch,
    event?: AuditEvent,
  ): Promise<JobRecord | undefined> {
    // Group commit, as submissions: a cycle's placements and a poll's endings share a commit.
    return this.grouped(async (trx) => {
      const row = await this.lockJob(trx, id);
      if (!row) return undefined;
      const current = fromRow(row);
      if (!from.includes(current.state)) return undefined;
      const { clear, ...fields } = patch;
      const merged: Record<string, unknown> = { ...current, ...fields };
      for (const key of clear ?? []) delete merged[key];
      const next = merged as unknown as JobRecord;
      const updated = toRow(next);
      await trx
        .updateTable('jobs')
        .set({
          state: updated.state,
          updated_at_s: updated.updated_at_s,
          attained_s: updated.attained_s,
          done_s: updated.done_s,
          record: updated.record,
        })
        .where('id', '=', id)
        .execute();
      if (event) {
        await this.lockAudit(trx);
        await appendAudit(trx, event);
      }
      return next;
    });
  }

  /** Reads a job for update; dialects with row locks override this. */
  protected async lockJob(trx: Transaction<Database>, id: string): Promise<Row | undefined> {
    return trx.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async appendAuditGuarded(
    guard: { readonly kinds: readonly string[]; readonly afterSeq: number },
    events: readonly AuditEvent[],
  ): Promise<AuditEntry[] | undefined> {
    return await this.db.transaction().execute(async (trx) => {
      await this.lockAudit(trx);
      if (guard.kinds.length > 0) {
        const moved = await trx
          .selectFrom('audit')
          .select('seq')
          .where('seq', '>', guard.afterSeq)
          .where('kind', 'in', [...guard.kinds])
          .limit(1)
          .executeTakeFirst();
        if (moved) return undefined;
      }
      const out: AuditEntry[] = [];
      for (const e of events) out.push(await appendAudit(trx, e));
      return out;
    });
  }

  async latestAuditSeq(): Promise<number> {
    const r = await this.db
      .selectFrom('audit')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return Number(r?.seq ?? 0);
  }

  async getJobs(ids: readonly string[]): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    // In slices: the number of bound parameters a statement may have is limited.
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('jobs')
        .selectAll()
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      out.push(...rows.map(fromRow));
    }
    return out;
  }

  async listJobs(filter: JobFilter = {}): Promise<JobRecord[]> {
    let q = this.db.selectFrom('jobs').selectAll();
    if (filter.states) {
      if (filter.states.length === 0) return [];
      q = q.where('state', 'in', [...filter.states]);
    }
    if (filter.tenant !== undefined) q = q.where('tenant', '=', filter.tenant);
    q = q.orderBy('submitted_at_s', 'desc').orderBy('id', 'desc');
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    return (await q.execute()).map(fromRow);
  }

  async countJobsByState(): Promise<Readonly<Record<JobState, number>>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const r of rows) counts[r.state as JobState] = Number(r.n);
    return counts;
  }

  /**
   * Entries from `fromSeq`, at most `limit`. A damaged entry or page ends the answer before it, and
   * the read that starts there fails with AUDIT_CORRUPT naming the entry: the entries before the
   * damage always read back, so a verifier can tell the last good entry from the first bad one.
   */
  async listAudit(fromSeq: number, limit: number): Promise<AuditEntry[]> {
    const read = (from: number, n: number) =>
      this.db.selectFrom('audit').selectAll().where('seq', '>=', from).orderBy('seq').limit(n).execute();
    let rows: Selectable<Database['audit']>[];
    try {
      rows = await read(fromSeq, limit);
    } catch (e) {
      if (!isDamagedStorage(e)) throw e;
      // The file is damaged somewhere in this page: read on one entry at a time up to the damage.
      rows = [];
      for (let from = fromSeq; rows.length < limit; ) {
        let row: Selectable<Database['audit']> | undefined;
        try {
          [row] = await read(from, 1);
        } catch (inner) {
          if (!isDamagedStorage(inner)) throw inner;
          if (rows.length === 0) throw damagedFrom(from, inner);
          break;
        }
        if (!row) break;
        rows.push(row);
        from = Number(row.seq) + 1;
      }
    }
    const entries: AuditEntry[] = [];
    for (const r of rows) {
      try {
        entries.push(auditEntryFromRow(r));
      } catch (e) {
        if (entries.length === 0) throw e;
        break;
      }
    }
    return entries;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** Appends an entry chained to the newest one. Runs inside the caller's transaction. */
async function appendAudit(trx: Transaction<Database>, event: AuditEvent): Promise<AuditEntry> {
  const last = await trx.selectFrom('audit').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const entry = chainEntry(last ? { seq: Number(last.seq), hash: last.hash } : undefined, event);
  await trx.insertInto('audit').values(auditRow(entry)).execute();
  return entry;
}

function auditRow(entry: AuditEntry): Insertable<Database['audit']> {
  return {
    seq: entry.seq,
    at_s: entry.atS,
    kind: entry.kind,
    subject: entry.subject,
    data: canonicalJson(entry.data),
    prev_hash: entry.prevHash,
    hash: entry.hash,
  };
}

function toRow(job: JobRecord): Row {
  const { id, state, submittedAtS, updatedAtS, ...rest } = job;
  return {
    id,
    state,
    tenant: job.spec.tenant,
    submitted_at_s: submittedAtS,
    updated_at_s: updatedAtS,
    attained_s: job.attainedS ?? 0,
    done_s: job.doneS ?? 0,
    record: JSON.stringify(rest),
  };
}

function fromRow(row: Row): JobRecord {
  const rest = JSON.parse(row.record) as Omit<JobRecord, 'id' | 'state' | 'submittedAtS' | 'updatedAtS'>;
  return {
    ...rest,
    id: row.id,
    state: row.state as JobState,
    submittedAtS: Number(row.submitted_at_s),
    updatedAtS: Number(row.updated_at_s),
  };
}
