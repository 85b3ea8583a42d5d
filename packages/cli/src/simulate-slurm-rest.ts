import { SuanliError } from '@suanli/service';

/**
 * The few calls of slurmrestd (v0.0.38) a job array needs: submit one, read its tasks, cancel it.
 * Settings come from the environment `../shared/scripts/slurm-up.sh` prints, as `suanli serve` reads
 * them: SLURMRESTD_URL, SLURMRESTD_API_VERSION, SLURMRESTD_USER_NAME, SLURMRESTD_TOKEN, and the
 * partition in SLURM_LOCAL_PARTITION (or SUANLI_SLURM_PARTITION).
 */

export interface SlurmSettings {
  readonly url: string;
  readonly apiVersion: string;
  readonly userName?: string;
  readonly token?: string;
  readonly partition?: string;
}

export function slurmSettings(env: Readonly<Record<string, string | undefined>>): SlurmSettings {
  const url = env['SLURMRESTD_URL'];
  if (!url) {
    throw new SuanliError(
      'INVALID_FIELD',
      '--slurm needs SLURMRESTD_URL, the address of slurmrestd (../shared/scripts/slurm-up.sh prints it)',
      { field: '--slurm' },
    );
  }
  const partition = env['SUANLI_SLURM_PARTITION'] ?? env['SLURM_LOCAL_PARTITION'];
  return {
    url: url.replace(/\/+$/, ''),
    apiVersion: env['SLURMRESTD_API_VERSION'] || 'v0.0.38',
    ...(env['SLURMRESTD_USER_NAME'] ? { userName: env['SLURMRESTD_USER_NAME'] } : {}),
    ...(env['SLURMRESTD_TOKEN'] ? { token: env['SLURMRESTD_TOKEN'] } : {}),
    ...(partition ? { partition } : {}),
  };
}

/** One array task as Slurm reports it. */
export interface SlurmTask {
  readonly index: number;
  /** Slurm's job_state: PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED … */
  readonly state: string;
  /** The batch script's exit code (the high byte of Slurm's wait status), once known. */
  readonly exitCode?: number;
  /** Why it is in that state (state_reason), when Slurm says. */
  readonly reason?: string;
}

/** States in which a task has ended without success. */
export const FAILED_STATES: ReadonlySet<string> = new Set([
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'BOOT_FAIL',
  'DEADLINE',
  'PREEMPTED',
]);

const REQUEST_TIMEOUT_MS = 10_000;

/** slurm_errno: ESLURM_INVALID_JOB_ID (unknown or purged) and ESLURM_ALREADY_DONE. */
const GONE: ReadonlySet<number> = new Set([2017, 2021]);

export class SlurmArrays {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly s: SlurmSettings;

  constructor(s: SlurmSettings) {
    this.s = s;
    this.base = `${s.url}/slurm/${s.apiVersion}`;
    this.headers = {
      'content-type': 'application/json',
      ...(s.userName ? { 'x-slurm-user-name': s.userName } : {}),
      ...(s.token ? { 'x-slurm-user-token': s.token } : {}),
    };
  }

  get partition(): string | undefined {
    return this.s.partition;
  }

  /** Submits a batch job (with `job.array`, a job array); returns its job id, the array's. */
  async submit(body: { readonly script: string; readonly job: Readonly<Record<string, unknown>> }): Promise<number> {
    const { body: r } = await this.call('POST', '/job/submit', body);
    const errors = errorsOf(r);
    if (errors.length > 0 || typeof r['job_id'] !== 'number') {
      throw new SuanliError(
        'INTERNAL',
        `slurm refused the job array: ${errors.join('; ') || 'no job id in its answer'}`,
      );
    }
    return r['job_id'];
  }

  /**
   * The tasks of array `arrayId` Slurm still knows, by index. Pending tasks not yet split off the
   * array are one record whose array_task_string names them (`3-9`, `1-3%2`, `0,4-6`).
   */
  async tasks(arrayId: number): Promise<Map<number, SlurmTask>> {
    const { status, body } = await this.call('GET', `/job/${arrayId}`, undefined, [404, 500]);
    const numbers = errorNumbersOf(body);
    if (status === 404 || (numbers.length > 0 && numbers.every((n) => GONE.has(n)))) return new Map();
    const errors = errorsOf(body);
    if (errors.length > 0)
      throw new SuanliError('INTERNAL', `slurm could not show job ${arrayId}: ${errors.join('; ')}`);
    const jobs = body['jobs'];
    if (!Array.isArray(jobs)) throw new SuanliError('INTERNAL', `slurm answered GET /job/${arrayId} without jobs`);
    const tasks = new Map<number, SlurmTask>();
    for (const j of jobs as unknown[]) {
      if (!isObject(j) || j['array_job_id'] !== arrayId || typeof j['job_state'] !== 'string') continue;
      const reason = typeof j['state_reason'] === 'string' && j['state_reason'] !== 'None' ? j['state_reason'] : '';
      const common = { state: j['job_state'], ...(reason ? { reason } : {}) };
      const id = j['array_task_id'];
      // NO_VAL (0xfffffffe) or absent: the record of tasks not yet started.
      if (typeof id === 'number' && id < 0xfffffffe) {
        const code = typeof j['exit_code'] === 'number' ? j['exit_code'] : undefined;
        tasks.set(id, {
          index: id,
          ...common,
          ...(code !== undefined ? { exitCode: code > 255 ? code >> 8 : code } : {}),
        });
      }
      const pending = typeof j['array_task_string'] === 'string' ? j['array_task_string'] : '';
      for (const index of taskIndices(pending)) if (!tasks.has(index)) tasks.set(index, { index, ...common });
    }
    return tasks;
  }

  /** Cancels every task of the array still pending or running; one already gone is not an error. */
  async cancel(arrayId: number): Promise<void> {
    await this.call('DELETE', `/job/${arrayId}`, undefined, [404, 500]);
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
    accept: readonly number[] = [],
  ): Promise<{ status: number; body: Readonly<Record<string, unknown>> }> {
    const url = this.base + path;
    let status: number;
    let text: string;
    try {
      const res = await fetch(url, {
        method,
        headers: this.headers,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      status = res.status;
      text = await res.text();
    } catch (e) {
      const cause = (e as Error).cause instanceof Error ? ` (${((e as Error).cause as Error).message})` : '';
      const why =
        (e as Error).name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS} ms` : (e as Error).message;
      throw new SuanliError('SERVER_UNREACHABLE', `slurm unreachable at ${this.s.url}: ${why}${cause}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if ((status < 200 || status > 299) && !accept.includes(status)) {
      // One line: Slurm's own reasons when it gives them, else the start of its answer.
      const said = isObject(value) ? errorsOf(value).join('; ') : '';
      throw new SuanliError(
        'INTERNAL',
        `slurm answered ${status} to ${method} ${path}: ${said || text.replace(/\s+/g, ' ').trim().slice(0, 200)}`,
      );
    }
    if (!isObject(value)) {
      throw new SuanliError('INTERNAL', `slurm answered ${method} ${path} with something that is not a JSON object`);
    }
    return { status, body: value };
  }
}

/** The indices of an array_task_string: `0-3`, `1-9:2`, `0,4-6`, any with `%N` (a limit on running tasks). */
export function taskIndices(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.replace(/%\d+$/, '').split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    const step = Math.max(1, Number(m[3] ?? 1));
    for (let i = from; i <= to; i += step) out.push(i);
  }
  return out;
}

function errorsOf(body: Readonly<Record<string, unknown>>): string[] {
  const errors = body['errors'];
  if (!Array.isArray(errors)) return [];
  return errors.map((e: unknown) => {
    if (!isObject(e)) return String(e);
    const text = e['description'] || e['error'];
    return typeof text === 'string' ? text : JSON.stringify(e);
  });
}

function errorNumbersOf(body: Readonly<Record<string, unknown>>): number[] {
  const errors = body['errors'];
  if (!Array.isArray(errors)) return [];
  return errors.map((e: unknown) => (isObject(e) && typeof e['error_number'] === 'number' ? e['error_number'] : NaN));
}

function isObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
