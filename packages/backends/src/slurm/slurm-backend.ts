import type { Backend, BackendJob, BackendState, BackendStatus, Clock } from '@suanli/service';

export interface SlurmBackendOptions {
  /** slurmrestd base URL (SLURMRESTD_URL), e.g. http://127.0.0.1:16820. */
  readonly url: string;
  /** REST API version path (SLURMRESTD_API_VERSION). */
  readonly apiVersion?: string;
  /** Sent as X-SLURM-USER-NAME / X-SLURM-USER-TOKEN (ignored by rest_auth/local). */
  readonly userName?: string;
  readonly token?: string;
  readonly partition?: string;
  /** GPUs per node: a job needing more spans ceil(count / this) nodes. */
  readonly gpusPerNode?: number;
  /**
   * What the batch script runs: Suanli never runs a workload itself; the placeholder sleeps for
   * the job's estimate ÷ `speedup` (tests run hour-long estimates in seconds).
   */
  readonly speedup?: number;
  /** The time limit is the estimate × this, at least a minute. */
  readonly timeLimitFactor?: number;
  readonly clock: Clock;
  /** Longest wait between attempts after failures (exponential backoff from 1 s). */
  readonly maxBackoffS?: number;
  /** Slurm job names are `<prefix>-<Suanli id>` (default `suanli`); one per Suanli installation. */
  readonly namePrefix?: string;
}

interface SlurmJob {
  readonly job_id: number;
  readonly name: string;
  readonly job_state: string;
  readonly exit_code?: number;
  readonly start_time?: number;
  readonly end_time?: number;
}

/** Slurm's job name for a Suanli job: how a restarted server (or a retry) finds it again. */
export function slurmJobName(jobId: string, prefix = 'suanli'): string {
  return `${prefix}-${jobId}`;
}

const STATES: Readonly<Record<string, BackendState>> = {
  PENDING: 'queued',
  CONFIGURING: 'queued',
  REQUEUED: 'queued',
  RESIZING: 'queued',
  SUSPENDED: 'queued',
  RUNNING: 'running',
  COMPLETING: 'running',
  STAGE_OUT: 'running',
  COMPLETED: 'succeeded',
  CANCELLED: 'cancelled',
  FAILED: 'failed',
  TIMEOUT: 'failed',
  NODE_FAIL: 'failed',
  OUT_OF_MEMORY: 'failed',
  BOOT_FAIL: 'failed',
  DEADLINE: 'failed',
  PREEMPTED: 'failed',
};

/** Slurm's exit_code is a wait status: the exit code in the high byte, a signal in the low one. */
function exitCodeOf(status: number | undefined): number | undefined {
  if (status === undefined) return undefined;
  return status > 255 ? status >> 8 : status;
}

/**
 * Hands jobs to a real Slurm through slurmrestd (v0.0.38): GPU gres per node, a time limit from the
 * estimate, and a job name carrying the Suanli id. Submission is idempotent: before submitting, it
 * looks for a Slurm job of that name, so a retry after a lost answer or a restart runs nothing
 * twice. After failures it backs off (1 s doubling to `maxBackoffS`) and says so in the error.
 */
export class SlurmBackend implements Backend {
  readonly name = 'slurm';
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly o: SlurmBackendOptions;
  private failures = 0;
  private retryAtS = 0;

  constructor(options: SlurmBackendOptions) {
    this.o = options;
    this.base = `${options.url.replace(/\/+$/, '')}/slurm/${options.apiVersion ?? 'v0.0.38'}`;
    this.headers = {
      'content-type': 'application/json',
      ...(options.userName ? { 'x-slurm-user-name': options.userName } : {}),
      ...(options.token ? { 'x-slurm-user-token': options.token } : {}),
    };
  }

  async submit(job: BackendJob): Promise<{ externalId: string }> {
    const name = slurmJobName(job.jobId, this.o.namePrefix);
    const existing = await this.findByName(name);
    if (existing !== undefined) return { externalId: `slurm:${existing}` };
    const perNode = Math.max(1, this.o.gpusPerNode ?? 4);
    const nodes = Math.max(1, Math.ceil(job.count / perNode));
    const gpus = Math.ceil(job.count / nodes);
    const runS = Math.max(1, Math.round((job.durationS + job.stageS) / (this.o.speedup ?? 1)));
    const limitMin = Math.max(1, Math.ceil((runS * (this.o.timeLimitFactor ?? 1.5)) / 60));
    const body = {
      script: `#!/bin/bash\n# Suanli job ${job.jobId} (${job.name}) of ${job.tenant}, ${job.count} ${job.accelerator} at ${job.siteId}\nsleep ${runS}\n`,
      job: {
        name,
        gres: `gpu:${gpus}`,
        nodes,
        time_limit: limitMin,
        ...(this.o.partition ? { partition: this.o.partition } : {}),
        comment: `suanli ${job.jobId} tenant ${job.tenant} pool ${job.poolId}`,
        current_working_directory: '/tmp',
        standard_output: '/dev/null',
        standard_error: '/dev/null',
        environment: { PATH: '/usr/bin:/bin', SUANLI_JOB_ID: job.jobId },
      },
    };
    const r = await this.call<{ job_id?: number; errors?: { error?: string; description?: string }[] }>(
      'POST',
      '/job/submit',
      body,
    );
    const error = r.errors?.[0];
    if (error || r.job_id === undefined) {
      throw new Error(`slurm refused job ${job.jobId}: ${error?.description ?? error?.error ?? 'no job id'}`);
    }
    this.known?.set(name, r.job_id);
    return { externalId: `slurm:${r.job_id}` };
  }

  /** Slurm job ids by name: read from Slurm at most every few seconds, and kept up with our own submissions. */
  private known: Map<string, number> | undefined;
  private knownAtS = 0;

  private async findByName(name: string): Promise<number | undefined> {
    const nowS = this.o.clock.nowS();
    if (!this.known || nowS - this.knownAtS > 5) {
      this.known = new Map((await this.jobs()).map((j) => [j.name, j.job_id]));
      this.knownAtS = nowS;
    }
    return this.known.get(name);
  }

  async cancel(externalId: string): Promise<void> {
    const id = slurmId(externalId);
    if (id === undefined) return;
    // Cancelling a finished or purged job is not an error.
    await this.call('DELETE', `/job/${id}`, undefined, [404, 500]);
  }

  async poll(externalIds: readonly string[]): Promise<BackendStatus[]> {
    const wanted = new Map<number, string>();
    for (const e of externalIds) {
      const id = slurmId(e);
      if (id !== undefined) wanted.set(id, e);
    }
    if (wanted.size === 0) return [];
    const out: BackendStatus[] = [];
    const seen = new Set<number>();
    for (const j of await this.jobs()) {
      const externalId = wanted.get(j.job_id);
      if (externalId === undefined) continue;
      seen.add(j.job_id);
      const state = STATES[j.job_state] ?? 'queued';
      const started = j.start_time && j.start_time > 0 ? j.start_time : undefined;
      const ended = j.end_time && j.end_time > 0 ? j.end_time : undefined;
      const exitCode = exitCodeOf(j.exit_code);
      out.push({
        externalId,
        state,
        ...(state !== 'queued' && started !== undefined ? { startedAtS: started } : {}),
        ...(state !== 'queued' && state !== 'running' && ended !== undefined ? { endedAtS: ended } : {}),
        ...(state !== 'queued' && state !== 'running' && exitCode !== undefined ? { exitCode } : {}),
        ...(j.job_state !== 'COMPLETED' && state === 'failed' ? { message: `slurm: ${j.job_state}` } : {}),
      });
    }
    // A job Slurm no longer lists (it forgets finished jobs after MinJobAge, or lost its state) is
    // reconciled, not left running forever: its outcome is unknown, so it is reported failed.
    const nowS = this.o.clock.nowS();
    for (const [id, externalId] of wanted) {
      if (seen.has(id)) continue;
      out.push({
        externalId,
        state: 'failed',
        endedAtS: nowS,
        message: `slurm no longer knows job ${id}: it ended while nobody watched, or Slurm lost its state`,
      });
    }
    return out;
  }

  private async jobs(): Promise<SlurmJob[]> {
    return (await this.call<{ jobs?: SlurmJob[] }>('GET', '/jobs')).jobs ?? [];
  }

  private async call<T>(method: string, path: string, body?: unknown, tolerated: readonly number[] = []): Promise<T> {
    const nowS = this.o.clock.nowS();
    if (nowS < this.retryAtS) {
      throw new Error(
        `slurm unreachable (${this.failures} failures); next try in ${Math.ceil(this.retryAtS - nowS)} s`,
      );
    }
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: this.headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      this.failed(nowS);
      throw new Error(`slurm unreachable at ${this.o.url}: ${(e as Error).message}`, { cause: e });
    }
    if (!res.ok && !tolerated.includes(res.status)) {
      this.failed(nowS);
      throw new Error(`slurm answered ${res.status} to ${method} ${path}: ${(await res.text()).slice(0, 200)}`);
    }
    this.failures = 0;
    this.retryAtS = 0;
    return (await res.json().catch(() => ({}))) as T;
  }

  private failed(nowS: number): void {
    this.failures++;
    this.retryAtS = nowS + Math.min(this.o.maxBackoffS ?? 60, 2 ** (this.failures - 1));
  }
}

function slurmId(externalId: string): number | undefined {
  const m = /^slurm:(\d+)$/.exec(externalId);
  return m ? Number(m[1]) : undefined;
}
