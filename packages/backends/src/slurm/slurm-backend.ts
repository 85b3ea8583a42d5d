import type { FailureClass } from '@suanli/engine';
import type { Backend, BackendJob, BackendState, BackendStatus, Clock, PowerCap } from '@suanli/service';

export interface SlurmBackendOptions {
  /** slurmrestd base URL (SLURMRESTD_URL), e.g. http://127.0.0.1:16820. */
  readonly url: string;
  /** REST API version path (SLURMRESTD_API_VERSION). */
  readonly apiVersion?: string;
  /** Sent as X-SLURM-USER-NAME / X-SLURM-USER-TOKEN (ignored by rest_auth/local). */
  readonly userName?: string;
  readonly token?: string;
  readonly partition?: string;
  /**
   * GPUs per node: a job needing more spans ceil(count / this) nodes, unless the engine said how
   * it packed the job on nodes (pools with a node size: `perNode`).
   */
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
  /** Longest a call to slurmrestd may take, answer included (default 10 s); then it fails like an unreachable Slurm. */
  readonly requestTimeoutMs?: number;
}

/** How long a call to slurmrestd may take when `requestTimeoutMs` is not given. */
const DEFAULT_SLURM_REQUEST_TIMEOUT_MS = 10_000;

interface SlurmJob {
  readonly job_id: number;
  readonly name: string;
  readonly job_state: string;
  readonly exit_code?: number;
  readonly start_time?: number;
  readonly end_time?: number;
  /** How many times Slurm requeued it (after a node failure, when it requeues jobs itself). */
  readonly restart_cnt?: number;
}

/** Slurm's job name for a Suanli job: how a restarted server (or a retry) finds it again. */
export function slurmJobName(jobId: string, prefix = 'suanli', attempt = 1): string {
  // The first run keeps the plain name; a run after a preemption is another Slurm job.
  return attempt > 1 ? `${prefix}-${jobId}-a${attempt}` : `${prefix}-${jobId}`;
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

/** Why Slurm says a job failed, where its state tells (FAILED, TIMEOUT, DEADLINE: the program's own doing). */
const FAILURE_CLASSES: Readonly<Record<string, FailureClass>> = {
  NODE_FAIL: 'node-failure',
  BOOT_FAIL: 'node-failure',
  OUT_OF_MEMORY: 'out-of-memory',
  PREEMPTED: 'preemption',
  FAILED: 'user-error',
  TIMEOUT: 'user-error',
  DEADLINE: 'user-error',
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
 * twice. Every call has a timeout (`requestTimeoutMs`), and every answer is checked: one that is
 * late, garbled or ill-shaped is an error of the call, never read as "no jobs". After failures it
 * backs off (1 s doubling to `maxBackoffS`) and says so in the error.
 */
export class SlurmBackend implements Backend {
  readonly name = 'slurm';
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly o: SlurmBackendOptions;
  private failures = 0;
  private retryAtS = 0;

  /** A real Slurm runs jobs in real time, unless told to run them `speedup` times faster (tests). */
  get timeScale(): number {
    return this.o.speedup ?? 1;
  }

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
    const name = slurmJobName(job.jobId, this.o.namePrefix, job.attempt ?? 1);
    const existing = await this.findByName(name);
    if (existing !== undefined) return { externalId: `slurm:${existing}` };
    const perNode = Math.max(1, this.o.gpusPerNode ?? 4);
    // The engine's packing when it gave one (Slurm's gres is per node: the largest share, on each
    // node; an uneven packing asks for a little more than it uses), else spread evenly.
    const nodes = job.perNode?.length || Math.max(1, Math.ceil(job.count / perNode));
    const gpus = job.perNode?.length ? Math.max(...job.perNode) : Math.ceil(job.count / nodes);
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
        // Suanli recovers failed runs itself (its recovery policy, another site if need be): Slurm must
        // end a run whose node fails (NODE_FAIL), not quietly requeue it under the same job id.
        requeue: false,
        current_working_directory: '/tmp',
        standard_output: '/dev/null',
        standard_error: '/dev/null',
        environment: { PATH: '/usr/bin:/bin', SUANLI_JOB_ID: job.jobId },
      },
    };
    let slurmJobId: number;
    try {
      slurmJobId = await this.call({ method: 'POST', path: '/job/submit', body }, ({ body: r }) => {
        const error = errorsOf(r)[0];
        if (error !== undefined || typeof r['job_id'] !== 'number') {
          throw new Error(`slurm refused job ${job.jobId}: ${error ?? 'no job id in its answer'}`);
        }
        return r['job_id'];
      });
    } catch (e) {
      // Slurm may have taken the job without our hearing it: the retry must look it up afresh.
      this.known = undefined;
      throw e;
    }
    this.known?.set(name, slurmJobId);
    return { externalId: `slurm:${slurmJobId}` };
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

  /** slurmrestd answers its ping (site health asks when no job of Suanli's runs here). */
  async ping(): Promise<void> {
    await this.call({ method: 'GET', path: '/ping' }, () => undefined);
  }

  async cancel(externalId: string): Promise<void> {
    const id = slurmId(externalId);
    if (id === undefined) return;
    // Cancelling a finished or purged job is not an error; any other refusal is.
    await this.call({ method: 'DELETE', path: `/job/${id}`, accept: [404, 500] }, ({ status, body }) => {
      const numbers = errorNumbersOf(body);
      const gone = numbers.length > 0 && numbers.every((n) => GONE.has(n));
      if (status === 404 || gone || (status < 300 && numbers.length === 0)) return;
      throw new Error(
        `slurm could not cancel job ${id} (${status}): ${errorsOf(body).join('; ') || 'no reason given'}`,
      );
    });
  }

  /**
   * Records a grid event's power cap on the job (its comment): Slurm 22.05 has no per-job GPU power
   * limit, so the site's agent (a prolog or node daemon that runs `nvidia-smi -pl`) reads it from
   * the job and applies it until the time given. The run's own speed follows the devices.
   */
  async powerCap(externalId: string, cap: PowerCap): Promise<void> {
    const id = slurmId(externalId);
    if (id === undefined) return;
    const until = new Date(cap.untilS * 1000).toISOString();
    const body = { comment: `suanli power-cap ${Math.round(cap.capW)} W per GPU until ${until}` };
    await this.call({ method: 'POST', path: `/job/${id}`, body, accept: [404, 500] }, ({ status, body: r }) => {
      const numbers = errorNumbersOf(r);
      if (status === 404 || (numbers.length > 0 && numbers.every((n) => GONE.has(n)))) return;
      if (status < 300 && numbers.length === 0) return;
      throw new Error(`slurm could not cap job ${id} (${status}): ${errorsOf(r).join('; ') || 'no reason given'}`);
    });
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
      // The requeued copy must never run beside the run Suanli places next: it is cancelled before
      // the failure is reported (a cancel that fails fails the poll, and the next poll tries again).
      if (requeuedBySlurm(j)) await this.cancel(externalId);
      out.push(statusOf(j, externalId));
    }
    // A job the listing lacks is asked after on its own before it is given up: one listing taken
    // while Slurm was busy must not fail a job for good. Slurm forgets finished jobs after
    // MinJobAge (or lost its state): then its outcome is unknown, and it is reported failed.
    const nowS = this.o.clock.nowS();
    for (const [id, externalId] of wanted) {
      if (seen.has(id)) continue;
      const job = await this.lookup(id);
      if (job) {
        out.push(statusOf(job, externalId));
        continue;
      }
      out.push({
        externalId,
        state: 'failed',
        endedAtS: nowS,
        failureClass: 'backend-unreachable',
        message: `slurm no longer knows job ${id}: it ended while nobody watched, or Slurm lost its state`,
      });
    }
    return out;
  }

  /** One job by id; undefined only when Slurm says it does not know it (errno 2017, or 404). */
  private async lookup(id: number): Promise<SlurmJob | undefined> {
    return this.call({ method: 'GET', path: `/job/${id}`, accept: [404, 500] }, ({ status, body }) => {
      const numbers = errorNumbersOf(body);
      if (status === 404 || (numbers.length > 0 && numbers.every((n) => GONE.has(n)))) return undefined;
      const job = jobListing(body).find((j) => j.job_id === id);
      if (!job) throw new Error(`slurm answered GET /job/${id} without job ${id}`);
      return job;
    });
  }

  /** Every job Slurm lists; an answer that is not a well-formed listing throws, never reads as "no jobs". */
  private async jobs(): Promise<SlurmJob[]> {
    return this.call({ method: 'GET', path: '/jobs' }, ({ body }) => jobListing(body));
  }

  /**
   * One call to slurmrestd, its answer checked by `read`. No answer within the request timeout, an
   * unexpected status, a body that is not a JSON object, or one `read` rejects all throw, and count
   * as failures for the backoff.
   */
  private async call<T>(request: SlurmRequest, read: (answer: SlurmAnswer) => T): Promise<T> {
    const nowS = this.o.clock.nowS();
    if (nowS < this.retryAtS) {
      throw new Error(
        `slurm unreachable (${this.failures} failures); next try in ${Math.ceil(this.retryAtS - nowS)} s`,
      );
    }
    try {
      const value = read(await this.exchange(request));
      this.failures = 0;
      this.retryAtS = 0;
      return value;
    } catch (e) {
      this.failed(nowS);
      throw e;
    }
  }

  /** Sends one request and reads its whole answer as a JSON object, within the request timeout. */
  private async exchange({ method, path, body, accept = [] }: SlurmRequest): Promise<SlurmAnswer> {
    const url = this.base + path;
    const timeoutMs = this.o.requestTimeoutMs ?? DEFAULT_SLURM_REQUEST_TIMEOUT_MS;
    let status: number;
    let text: string;
    try {
      const res = await fetch(url, {
        method,
        headers: this.headers,
        signal: AbortSignal.timeout(timeoutMs),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      status = res.status;
      text = await res.text();
    } catch (e) {
      if ((e as Error).name === 'TimeoutError') {
        throw new Error(`slurm did not answer ${method} ${url} within ${timeoutMs} ms`, { cause: e });
      }
      throw new Error(`slurm unreachable at ${this.o.url}: ${describeFetchError(e)}`, { cause: e });
    }
    if ((status < 200 || status > 299) && !accept.includes(status)) {
      throw new Error(`slurm answered ${status} to ${method} ${path}: ${text.slice(0, 200)}`);
    }
    return { status, body: jsonObject(text, `${method} ${path}`) };
  }

  private failed(nowS: number): void {
    this.failures++;
    this.retryAtS = nowS + Math.min(this.o.maxBackoffS ?? 60, 2 ** (this.failures - 1));
  }
}

interface SlurmRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  /** Statuses besides 2xx whose answer `read` judges (e.g. "no such job" to a cancel). */
  readonly accept?: readonly number[];
}

interface SlurmAnswer {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** What Suanli records of a job Slurm reports. */
function statusOf(j: SlurmJob, externalId: string): BackendStatus {
  const state = STATES[j.job_state] ?? 'queued';
  if (requeuedBySlurm(j)) {
    // Slurm put a run that had started back in its queue (a node failed and it requeues jobs):
    // for Suanli that run failed; its recovery decides where the next one runs.
    return {
      externalId,
      state: 'failed',
      failureClass: 'node-failure',
      message: `slurm requeued the run (restart ${j.restart_cnt}): its node failed or was taken away`,
    };
  }
  const started = j.start_time && j.start_time > 0 ? j.start_time : undefined;
  const ended = j.end_time && j.end_time > 0 ? j.end_time : undefined;
  const exitCode = exitCodeOf(j.exit_code);
  return {
    externalId,
    state,
    ...(state !== 'queued' && started !== undefined ? { startedAtS: started } : {}),
    ...(state !== 'queued' && state !== 'running' && ended !== undefined ? { endedAtS: ended } : {}),
    ...(state !== 'queued' && state !== 'running' && exitCode !== undefined ? { exitCode } : {}),
    ...(j.job_state !== 'COMPLETED' && state === 'failed' ? { message: `slurm: ${j.job_state}` } : {}),
    ...(state === 'failed' && FAILURE_CLASSES[j.job_state] ? { failureClass: FAILURE_CLASSES[j.job_state] } : {}),
  };
}

/** A run Slurm requeued itself: queued again after it had run (Slurm 22.05's slurmrestd ignores `requeue: false`). */
function requeuedBySlurm(j: SlurmJob): boolean {
  return (STATES[j.job_state] ?? 'queued') === 'queued' && (j.restart_cnt ?? 0) > 0;
}

/** slurm_errno: ESLURM_INVALID_JOB_ID (unknown or purged) and ESLURM_ALREADY_DONE (finished). */
const GONE: ReadonlySet<number> = new Set([2017, 2021]);

/** An answer's body as a JSON object, or an error quoting what came instead. */
function jsonObject(text: string, what: string): Readonly<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`slurm answered ${what} with something that is not JSON: ${quote(text)}`, { cause: e });
  }
  if (!isObject(value)) throw new Error(`slurm answered ${what} with JSON that is not an object: ${quote(text)}`);
  return value;
}

/** The jobs of a GET /jobs answer, each checked for the fields Suanli reads; anything else throws. */
function jobListing(body: Readonly<Record<string, unknown>>): SlurmJob[] {
  const errors = errorsOf(body);
  if (errors.length > 0) throw new Error(`slurm could not list its jobs: ${errors.join('; ')}`);
  const jobs = body['jobs'];
  if (!Array.isArray(jobs)) throw new Error('slurm answered GET /jobs without a list of jobs');
  return jobs.map((j: unknown, i) => {
    if (!isObject(j) || typeof j['job_id'] !== 'number' || typeof j['name'] !== 'string') {
      throw new Error(`slurm answered GET /jobs with job ${i} lacking a numeric job_id or a name`);
    }
    if (typeof j['job_state'] !== 'string') {
      throw new Error(`slurm answered GET /jobs with job ${j['job_id']} lacking a job_state`);
    }
    return {
      job_id: j['job_id'],
      name: j['name'],
      job_state: j['job_state'],
      ...numberField(j, 'exit_code'),
      ...numberField(j, 'start_time'),
      ...numberField(j, 'end_time'),
      ...numberField(j, 'restart_cnt'),
    };
  });
}

/** `{ [key]: value }` when the field is a number, else nothing. */
function numberField<K extends string>(o: Readonly<Record<string, unknown>>, key: K): { [P in K]?: number } {
  const v = o[key];
  return (typeof v === 'number' ? { [key]: v } : {}) as { [P in K]?: number };
}

/** The messages of an answer's `errors` list (slurmrestd reports refusals there). */
function errorsOf(body: Readonly<Record<string, unknown>>): string[] {
  const errors = body['errors'];
  if (!Array.isArray(errors)) return [];
  return errors.map((e: unknown) => {
    if (!isObject(e)) return String(e);
    const text = e['description'] || e['error'];
    return typeof text === 'string' ? text : JSON.stringify(e);
  });
}

/** The slurm_errno numbers of an answer's `errors` list (NaN where one has none). */
function errorNumbersOf(body: Readonly<Record<string, unknown>>): number[] {
  const errors = body['errors'];
  if (!Array.isArray(errors)) return [];
  return errors.map((e: unknown) => (isObject(e) && typeof e['error_number'] === 'number' ? e['error_number'] : NaN));
}

function isObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The start of an answer, for an error message. */
function quote(text: string): string {
  return text.trim() === '' ? '(an empty body)' : JSON.stringify(text.slice(0, 120));
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED …) is in its cause. */
function describeFetchError(e: unknown): string {
  const message = (e as Error).message;
  const cause = (e as Error).cause;
  return cause instanceof Error && cause.message !== '' ? `${message} (${cause.message})` : message;
}

function slurmId(externalId: string): number | undefined {
  const m = /^slurm:(\d+)$/.exec(externalId);
  return m ? Number(m[1]) : undefined;
}
