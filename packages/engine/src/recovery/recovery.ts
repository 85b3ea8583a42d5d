import { DATA_LEVELS, type DataLevel } from '../domain/dataset.ts';
import type { Job, JobKind } from '../domain/job.ts';
import { type Failure, INFRASTRUCTURE_FAILURES, type RecoveryPolicy } from '../domain/recovery.ts';
import { checkpointDataName } from './failover.ts';

/** The policy a job of each kind gets when its spec names none. */
export const DEFAULT_RECOVERY: Readonly<Record<JobKind, RecoveryPolicy>> = {
  train: { maxRestarts: 3, retryOn: INFRASTRUCTURE_FAILURES, retryExitCodes: [], failover: 'any-site', backoffS: 60 },
  finetune: {
    maxRestarts: 3,
    retryOn: INFRASTRUCTURE_FAILURES,
    retryExitCodes: [],
    failover: 'any-site',
    backoffS: 60,
  },
  'batch-infer': {
    maxRestarts: 2,
    retryOn: INFRASTRUCTURE_FAILURES,
    retryExitCodes: [],
    failover: 'any-site',
    backoffS: 30,
  },
  serve: { maxRestarts: 10, retryOn: INFRASTRUCTURE_FAILURES, retryExitCodes: [], failover: 'any-site', backoffS: 10 },
};

/** What becomes of a job whose run failed: retried (when, where, with how much work kept), or failed for good. */
export type RecoveryDecision =
  | {
      readonly retry: true;
      /** This restart's number (1 for the first retry). */
      readonly restart: number;
      /** Not placed before this time (the back-off). */
      readonly notBeforeS: number;
      /** Sites it may run at now; undefined: wherever it could before. */
      readonly sites?: readonly string[];
      /** Seconds of work kept: up to the last checkpoint. */
      readonly keptS: number;
      /** Seconds of work lost: since the last checkpoint, to be run again. */
      readonly lostS: number;
      /**
       * Its checkpoint is at the lost site, out of reach: the work of every earlier run is lost too,
       * and the job starts again from the beginning (drivers forget its progress and checkpoint).
       */
      readonly fromScratch: boolean;
      readonly reason: string;
    }
  | { readonly retry: false; readonly lostS: number; readonly reason: string };

/** The job's recovery policy: its own, or its kind's default. */
export function recoveryOf(job: Pick<Job, 'kind' | 'recovery'>): RecoveryPolicy {
  return job.recovery ?? DEFAULT_RECOVERY[job.kind];
}

/** Work kept at a failure: whole checkpoint intervals of the run (nothing without checkpoints). */
export function keptWorkS(job: Pick<Job, 'checkpoint'>, ranS: number): number {
  const every = job.checkpoint?.intervalS;
  if (every === undefined || every <= 0 || ranS <= 0) return 0;
  return Math.floor(ranS / every) * every;
}

/**
 * What to do after a failed run, by the job's recovery policy: the one decision the live service
 * and the simulator both take (pure; no clock but `nowS`). `restarts` counts the retries so far.
 */
export function afterFailure(job: Job, failure: Failure, restarts: number, nowS: number): RecoveryDecision {
  const policy = recoveryOf(job);
  const cls = failure.failureClass;
  const siteLost = cls === 'site-outage' || cls === 'backend-unreachable';
  // A checkpoint written where the run was is out of reach while that site is out of service: a
  // restart elsewhere starts from the beginning (one written to another site is not lost).
  const unreadable =
    siteLost && policy.failover !== 'same-site' && checkpointSiteOf(job, failure.siteId) === failure.siteId;
  const keptS = unreadable ? 0 : keptWorkS(job, failure.ranS);
  const lostS = Math.max(0, failure.ranS - keptS);
  if (cls === 'cancelled') return { retry: false, lostS, reason: 'cancelled: not retried' };
  const byCode =
    cls === 'user-error' && failure.exitCode !== undefined && policy.retryExitCodes.includes(failure.exitCode);
  if (!byCode && !policy.retryOn.includes(cls)) {
    const what = cls === 'user-error' && failure.exitCode !== undefined ? `${cls} (exit ${failure.exitCode})` : cls;
    return { retry: false, lostS, reason: `${what} is not retried by its recovery policy` };
  }
  if (restarts >= policy.maxRestarts) {
    return { retry: false, lostS, reason: `${cls}: all ${policy.maxRestarts} restarts used` };
  }
  if (policy.failover === 'never' && siteLost) {
    return { retry: false, lostS, reason: `${cls} at ${failure.siteId}, and its policy never fails over` };
  }
  const restart = restarts + 1;
  // Anywhere means wherever the job may run: its own list of sites (if it has one) still holds.
  const sites = policy.failover === 'same-site' ? [failure.siteId] : job.sites;
  const backoffS = policy.backoffS * 2 ** restarts;
  return {
    retry: true,
    restart,
    notBeforeS: nowS + backoffS,
    ...(sites !== undefined ? { sites } : {}),
    keptS,
    lostS,
    fromScratch: unreadable && job.checkpoint !== undefined,
    reason: `${cls} at ${failure.siteId}: restart ${restart} of ${policy.maxRestarts} after ${backoffS} s${
      policy.failover === 'same-site' ? ', at the same site' : ''
    }${
      !job.checkpoint
        ? ` (${lostS} s of work lost: no checkpoints)`
        : unreadable
          ? ` from the beginning: its checkpoint is at ${failure.siteId}, out of service (${lostS} s of work lost)`
          : `, from the checkpoint at ${keptS} s (${lostS} s of work lost)`
    }`,
  };
}

/** Where a run's checkpoints are: the job's checkpoint site, else the site it ran at. */
export function checkpointSiteOf(job: Pick<Job, 'checkpoint'>, ranAt: string): string {
  return job.checkpoint?.siteId ?? ranAt;
}

/**
 * The job with its last checkpoint as one of its data sets, held where it was written: a restart
 * at another site stages it over the WAN, and data gravity prices that like any data set. Classed
 * as the job's most restricted data (weights trained on important data are important); it holds no
 * personal information itself. Unchanged when there is nothing to stage.
 */
export function withCheckpointData(job: Job, checkpointSiteId: string | undefined): Job {
  const size = job.checkpoint?.sizeGb ?? 0;
  if (checkpointSiteId === undefined || size <= 0) return job;
  const at = job.checkpoint?.siteId ?? checkpointSiteId;
  const rank = (l: DataLevel | undefined) => (l === undefined ? 0 : DATA_LEVELS.indexOf(l));
  const level = job.datasets.reduce<DataLevel>(
    (m, d) => (rank(d.level) > rank(m) ? (d.level as DataLevel) : m),
    'general',
  );
  return {
    ...job,
    datasets: [
      ...job.datasets,
      {
        name: checkpointDataName(job.id),
        sizeGb: size,
        replicas: [at],
        level,
        pi: 'none',
        owner: job.tenant,
      },
    ],
  };
}
