/**
 * Job attempts from the audit log's state changes: a run starts with `job.placed` and ends with the
 * entry that ends it (succeeded, failed or retried, preempted, cancelled, scaled down). Metering
 * reads only these facts, never an estimate, so the same log always gives the same attempts.
 */

import type { JobKind } from '../domain/job.ts';
import type { StagedTransfer } from '../domain/placement.ts';

/** An audit entry as metering reads it (the service's `AuditEntry` has this shape). */
export interface LogEvent {
  readonly seq: number;
  readonly atS: number;
  readonly kind: string;
  readonly subject: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export const ATTEMPT_OUTCOMES = ['succeeded', 'failed', 'preempted', 'cancelled'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One run of a job, as the log records it. */
export interface Attempt {
  readonly jobId: string;
  /** 1 for a job's first placement, 2 for the next … */
  readonly attempt: number;
  readonly tenant: string;
  readonly kind: JobKind;
  readonly siteId: string;
  readonly poolId: string;
  readonly accelerator: string;
  readonly count: number;
  /** When it started and ended (clock seconds). */
  readonly startS: number;
  readonly endS: number;
  /** Seconds of work it did: (end − start) × the backend's time scale, or the failure's own count. */
  readonly workS: number;
  readonly outcome: AttemptOutcome;
  readonly failureClass?: string;
  readonly transfers: readonly StagedTransfer[];
  /** Bought on the market: at this price instead of the price book's, with the contract's SLA. */
  readonly market?: AttemptMarket;
  /** When its job was submitted (an SLA on the start counts from then). */
  readonly submittedAtS: number;
  /** The job's first run that started (an SLA on the start applies to it). */
  readonly firstRun: boolean;
  /** The audit entry that ended it. */
  readonly endSeq: number;
}

/** The market terms a run was placed under, as `job.placed` records them. */
export interface AttemptMarket {
  readonly kind: 'spot' | 'contract';
  readonly id?: string;
  readonly fenPerAcceleratorHour: number;
  /** A contract's promise on the start, counted from its window's start at the earliest. */
  readonly startWithinS?: number;
  readonly penaltyFen?: number;
  readonly windowFromS?: number;
}

interface OpenAttempt {
  readonly attempt: number;
  readonly siteId: string;
  readonly poolId: string;
  readonly accelerator: string;
  readonly count: number;
  readonly workScale: number;
  readonly transfers: readonly StagedTransfer[];
  readonly market?: AttemptMarket | undefined;
  startS?: number;
}

interface JobFacts {
  readonly tenant: string;
  readonly kind: JobKind;
  readonly submittedAtS: number;
  placed: number;
  /** Whether a run of it has started (metered) before. */
  started?: boolean;
  open?: OpenAttempt | undefined;
}

/** The fields of audit entries' data that metering reads (each checked before use). */
interface EventData {
  readonly tenant?: unknown;
  readonly kind?: unknown;
  readonly replica?: unknown;
  readonly direction?: unknown;
  readonly siteId?: unknown;
  readonly poolId?: unknown;
  readonly accelerator?: unknown;
  readonly count?: unknown;
  readonly workScale?: unknown;
  readonly transfers?: unknown;
  readonly startedAtS?: unknown;
  readonly endedAtS?: unknown;
  readonly ranS?: unknown;
  readonly failureClass?: unknown;
  readonly market?: unknown;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function transfersOf(v: unknown): StagedTransfer[] {
  if (!Array.isArray(v)) return [];
  const out: StagedTransfer[] = [];
  for (const t of v) {
    const from = str((t as { fromSiteId?: unknown } | null)?.fromSiteId);
    const gb = num((t as { gb?: unknown } | null)?.gb);
    if (from !== undefined && gb !== undefined && gb > 0) out.push({ fromSiteId: from, gb });
  }
  return out;
}

function marketOf(v: unknown): AttemptMarket | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const m = v as Record<string, unknown> & {
    readonly kind?: unknown;
    readonly id?: unknown;
    readonly fenPerAcceleratorHour?: unknown;
    readonly startWithinS?: unknown;
    readonly penaltyFen?: unknown;
    readonly windowFromS?: unknown;
  };
  const fen = num(m.fenPerAcceleratorHour);
  if ((m.kind !== 'spot' && m.kind !== 'contract') || fen === undefined) return undefined;
  const id = str(m.id);
  const within = num(m.startWithinS);
  const penalty = num(m.penaltyFen);
  const from = num(m.windowFromS);
  return {
    kind: m.kind,
    fenPerAcceleratorHour: fen,
    ...(id !== undefined ? { id } : {}),
    ...(within !== undefined ? { startWithinS: within } : {}),
    ...(penalty !== undefined ? { penaltyFen: penalty } : {}),
    ...(from !== undefined ? { windowFromS: from } : {}),
  };
}

/**
 * Folds audit entries, in log order, into finished attempts. Keeps per job only what an open
 * attempt needs; `apply` returns the attempt an entry ends, if any.
 */
export class AttemptFold {
  private readonly jobs = new Map<string, JobFacts>();

  apply(e: LogEvent): Attempt | undefined {
    const d = e.data as EventData;
    switch (e.kind) {
      case 'job.submitted': {
        const tenant = str(d.tenant);
        const kind = str(d.kind) as JobKind | undefined;
        if (tenant !== undefined && kind !== undefined) {
          this.jobs.set(e.subject, { tenant, kind, submittedAtS: e.atS, placed: 0 });
        }
        return undefined;
      }
      case 'service.scaled': {
        const replica = str(d.replica);
        if (replica === undefined) return undefined;
        if (d.direction === 'up') {
          const svc = this.jobs.get(e.subject);
          if (svc) this.jobs.set(replica, { tenant: svc.tenant, kind: 'serve', submittedAtS: e.atS, placed: 0 });
          return undefined;
        }
        return this.close(replica, e, e.atS, 'cancelled');
      }
      case 'job.placed': {
        const job = this.jobs.get(e.subject);
        const siteId = str(d.siteId);
        const poolId = str(d.poolId);
        const count = num(d.count);
        if (!job || siteId === undefined || poolId === undefined || count === undefined) return undefined;
        job.placed++;
        job.open = {
          attempt: job.placed,
          siteId,
          poolId,
          accelerator: str(d.accelerator) ?? '',
          count,
          workScale: num(d.workScale) ?? 1,
          transfers: transfersOf(d.transfers),
          market: marketOf(d.market),
        };
        return undefined;
      }
      case 'job.running': {
        const open = this.jobs.get(e.subject)?.open;
        if (open) open.startS = num(d.startedAtS) ?? e.atS;
        return undefined;
      }
      case 'job.succeeded':
        return this.close(e.subject, e, num(d.endedAtS) ?? e.atS, 'succeeded', num(d.startedAtS));
      case 'job.failed':
      case 'job.retried':
        return this.close(
          e.subject,
          e,
          num(d.endedAtS) ?? e.atS,
          'failed',
          num(d.startedAtS),
          num(d.ranS),
          str(d.failureClass),
        );
      case 'job.preempted':
        return this.close(e.subject, e, e.atS, 'preempted');
      case 'job.cancelled':
        // Cancelled by a user (now), or found cancelled by its backend (with the run's own times).
        return this.close(e.subject, e, num(d.endedAtS) ?? e.atS, 'cancelled', num(d.startedAtS));
      default:
        return undefined;
    }
  }

  private close(
    jobId: string,
    e: LogEvent,
    endS: number,
    outcome: AttemptOutcome,
    startedAtS?: number,
    ranS?: number,
    failureClass?: string,
  ): Attempt | undefined {
    const job = this.jobs.get(jobId);
    // A job that ends for good is forgotten; a retried or preempted one is placed again.
    if (job && e.kind !== 'job.retried' && e.kind !== 'job.preempted') this.jobs.delete(jobId);
    const open = job?.open;
    if (!job || !open) return undefined;
    job.open = undefined;
    const startS = open.startS ?? startedAtS;
    // A run that never started used nothing: it is not metered.
    if (startS === undefined) return undefined;
    const end = Math.max(startS, endS);
    const firstRun = !job.started;
    job.started = true;
    return {
      jobId,
      attempt: open.attempt,
      tenant: job.tenant,
      kind: job.kind,
      siteId: open.siteId,
      poolId: open.poolId,
      accelerator: open.accelerator,
      count: open.count,
      startS,
      endS: end,
      workS: ranS ?? (end - startS) * open.workScale,
      outcome,
      ...(failureClass !== undefined ? { failureClass } : {}),
      transfers: open.transfers,
      ...(open.market ? { market: open.market } : {}),
      submittedAtS: job.submittedAtS,
      firstRun,
      endSeq: e.seq,
    };
  }
}
