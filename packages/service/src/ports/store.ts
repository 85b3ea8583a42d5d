import type { FairnessAudit, FairnessReport } from '@suanli/engine';
import type { AuditEntry, AuditEvent } from '../audit.ts';
import type { JobRecord, JobState } from '../job-record.ts';

/** Fields of a job that change after submission. */
export type JobPatch = Partial<
  Pick<
    JobRecord,
    | 'state'
    | 'placement'
    | 'explanation'
    | 'backend'
    | 'externalId'
    | 'startedAtS'
    | 'endedAtS'
    | 'exitCode'
    | 'message'
    | 'placedAtS'
    | 'attempt'
    | 'attainedS'
    | 'doneS'
    | 'restarts'
    | 'notBeforeS'
    | 'retrySites'
    | 'checkpointSiteId'
    | 'failures'
    | 'observedLoad'
    | 'slo'
    | 'gridCap'
  >
> & {
  readonly updatedAtS: number;
  /** Fields to remove (a preempted job loses its placement and backend). */
  readonly clear?: readonly (
    | 'placement'
    | 'backend'
    | 'externalId'
    | 'startedAtS'
    | 'endedAtS'
    | 'exitCode'
    | 'placedAtS'
    | 'notBeforeS'
    | 'checkpointSiteId'
    | 'gridCap'
  )[];
};

/** A fairness audit as stored with its model: the figures, every group's rates, the input's digest. */
export interface StoredModelAudit extends FairnessAudit {
  readonly modelId: string;
  readonly report: FairnessReport;
  /** SHA-256 of the uploaded CSV: the rows themselves are not kept. */
  readonly inputDigest: string;
}

export const ROLES = [
  'operator',
  'tenant-admin',
  'tenant-member',
  'auditor',
  'metrics',
  'site-operator',
  'grid',
] as const;
export type Role = (typeof ROLES)[number];

/** An API token as stored: only its SHA-256. */
export interface TokenRecord {
  readonly tokenHash: string;
  readonly name: string;
  readonly role: Role;
  /** The tenant a tenant-admin or tenant-member acts for. */
  readonly tenant?: string;
  /** The operator (of the network file) a site-operator token speaks for. */
  readonly operator?: string;
  readonly createdAtS: number;
  /** After this time the token is refused; never when absent. */
  readonly expiresAtS?: number;
  /** When it was revoked; it is refused from then on. */
  readonly revokedAtS?: number;
}

export const GRANT_KINDS = ['model', 'dataset'] as const;
export type GrantKind = (typeof GRANT_KINDS)[number];

/** A tenant lets another use one of its models or data sets (until it revokes the grant). */
export interface GrantRecord {
  readonly id: string;
  readonly kind: GrantKind;
  /** The model's id or the catalog data set's name. */
  readonly resource: string;
  readonly owner: string;
  readonly grantee: string;
  readonly createdAtS: number;
  /** The name of the token that gave it. */
  readonly createdBy: string;
  readonly revokedAtS?: number;
}

/**
 * One sample of the network's history, or of one site's: the means over its step of what the
 * engine's gauge measured. `scope` is `network` or `site:<id>`; `atS` is the start of the step.
 */
export interface HistorySample {
  readonly scope: string;
  readonly atS: number;
  readonly stepS: number;
  readonly accelerators: number;
  readonly busy: number;
  readonly queued: number;
  readonly running: number;
  readonly powerKw: number;
  readonly costFenPerHour: number;
  readonly carbonKgPerHour: number;
  readonly greenKw: number;
}

export interface JobFilter {
  readonly states?: readonly JobState[];
  readonly tenant?: string;
  /** Newest first; at most this many. */
  readonly limit?: number;
}

/**
 * Suanli's durable state. Every change of a job's state is written together with its audit entry in
 * one transaction: both or neither. A call returns only once the change is durable.
 *
 * Deliberately not in this port: connections, transactions and SQL. An adapter owns those.
 */
export interface Store {
  /** Adds a new job with its audit entry. */
  insertJob(job: JobRecord, event: AuditEvent): Promise<void>;
  /**
   * Applies `patch` if the job is in one of the `from` states (compare-and-set), with the audit
   * entry if one is given. Returns the updated job, or `undefined` when the job is missing or in
   * another state, in which case nothing is written.
   */
  transitionJob(
    id: string,
    from: readonly JobState[],
    patch: JobPatch,
    event?: AuditEvent,
  ): Promise<JobRecord | undefined>;
  getJob(id: string): Promise<JobRecord | undefined>;
  /** The jobs of these ids that exist, in no particular order. */
  getJobs(ids: readonly string[]): Promise<JobRecord[]>;
  listJobs(filter?: JobFilter): Promise<JobRecord[]>;
  countJobsByState(): Promise<Readonly<Record<JobState, number>>>;
  /** Stores a model's fairness audit with its audit entry. */
  insertModelAudit(audit: StoredModelAudit, event: AuditEvent): Promise<void>;
  /** Audits of a model (or of all), oldest first. */
  listModelAudits(modelId?: string): Promise<StoredModelAudit[]>;
  /** Stores a token (its hash) with its audit entry. */
  insertToken(token: TokenRecord, event: AuditEvent): Promise<void>;
  findToken(tokenHash: string): Promise<TokenRecord | undefined>;
  /** Tokens (of one tenant, or all), oldest first. */
  listTokens(tenant?: string): Promise<TokenRecord[]>;
  /** Marks a token revoked with its audit entry; undefined (nothing written) if it is missing or already revoked. */
  revokeToken(tokenHash: string, atS: number, event: AuditEvent): Promise<TokenRecord | undefined>;
  countTokens(): Promise<number>;
  /** Stores a grant with its audit entry. */
  insertGrant(grant: GrantRecord, event: AuditEvent): Promise<void>;
  /** Grants that involve a tenant (as owner or grantee), or all; oldest first. */
  listGrants(tenant?: string): Promise<GrantRecord[]>;
  /** Marks a grant revoked with its audit entry; undefined (nothing written) if it is missing or already revoked. */
  revokeGrant(id: string, atS: number, event: AuditEvent): Promise<GrantRecord | undefined>;
  /** Writes history samples; one of the same scope, time and step is replaced. */
  putHistory(samples: readonly HistorySample[]): Promise<void>;
  /**
   * A scope's history from `fromS` to before `toS`, as means over buckets of `bucketS` (a multiple
   * of every stored step), weighted by each sample's step; buckets without samples are left out.
   */
  readHistory(scope: string, fromS: number, toS: number, bucketS: number): Promise<HistorySample[]>;
  /**
   * Replaces the samples finer than `stepS` that start before `beforeS` (a multiple of `stepS`) by
   * their means over `stepS`, and deletes every sample before `dropBeforeS`. Returns the rows removed.
   */
  compactHistory(beforeS: number, stepS: number, dropBeforeS: number): Promise<number>;
  /** Appends an audit entry on its own (a change that is not a job's: a catalog entry, a key). */
  appendAudit(event: AuditEvent): Promise<AuditEntry>;
  /**
   * Appends `events` together (all or none), only if no entry of `guard.kinds` was written after
   * `guard.afterSeq`: a check made on the state as of that entry still holds. Undefined (nothing
   * written) when one was: the caller reads on and checks again.
   */
  appendAuditGuarded(
    guard: { readonly kinds: readonly string[]; readonly afterSeq: number },
    events: readonly AuditEvent[],
  ): Promise<AuditEntry[] | undefined>;
  /** The sequence number of the latest audit entry; 0 when the log is empty. */
  latestAuditSeq(): Promise<number>;
  /** Audit entries with `seq >= fromSeq`, in order. */
  listAudit(fromSeq: number, limit: number): Promise<AuditEntry[]>;
  /**
   * Tries to become the one process that schedules (several servers on one database). True while
   * this process holds the leadership: it is kept until `close` or until the process dies. Throws
   * when the election itself fails (the database cannot be reached, or the leader's connection broke).
   */
  holdLeadership(): Promise<boolean>;
  close(): Promise<void>;
}
