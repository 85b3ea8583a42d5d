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
  >
> & {
  readonly updatedAtS: number;
  /** Fields to remove (a preempted job loses its placement and backend). */
  readonly clear?: readonly ('placement' | 'backend' | 'externalId' | 'startedAtS' | 'endedAtS' | 'exitCode')[];
};

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
  listJobs(filter?: JobFilter): Promise<JobRecord[]>;
  countJobsByState(): Promise<Readonly<Record<JobState, number>>>;
  /** Appends an audit entry on its own (a change that is not a job's: a catalog entry, a key). */
  appendAudit(event: AuditEvent): Promise<AuditEntry>;
  /** Audit entries with `seq >= fromSeq`, in order. */
  listAudit(fromSeq: number, limit: number): Promise<AuditEntry[]>;
  close(): Promise<void>;
}
