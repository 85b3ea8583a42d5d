import { cappedEndS, type FailureClass } from '@suanli/engine';
import type { Backend, BackendJob, BackendStatus, Clock, PowerCap } from '@suanli/service';

export interface SimBackendOptions {
  readonly clock: Clock;
  /** How much faster than real time jobs run: 60 runs an hour-long job in a minute. */
  readonly speedup?: number;
  /** Seconds (real) between hand-over and start, besides data staging; a backend's queueing. */
  readonly startDelayS?: number;
  /** Its name in the network's pools (default `sim`): several sim backends stand for several sites' managers. */
  readonly name?: string;
}

interface SimJob {
  readonly startAtS: number;
  readonly endAtS: number;
}

/**
 * The built-in backend: it runs nothing, but moves each job through queued → running → succeeded
 * on the clock it is given, `speedup` times faster than the job's estimate, so the product works
 * without a cluster.
 *
 * Everything it needs is in the external id (`sim:<job>:<start>s:<end>s`), so a restarted
 * server finds its jobs where the clock says they are. Only cancellations live in memory; the
 * service stops asking about a job once it has recorded it as cancelled.
 */
export class SimBackend implements Backend {
  readonly name: string;
  private readonly clock: Clock;
  private reachable = true;
  private readonly speedup: number;
  private readonly startDelayS: number;
  private readonly byJob = new Map<string, string>();
  private readonly cancelled = new Map<string, number>();
  private readonly failed = new Map<string, { atS: number; failureClass: FailureClass; exitCode?: number }>();
  private readonly caps = new Map<string, { fromS: number; untilS: number; throughput: number }[]>();

  constructor(options: SimBackendOptions) {
    this.clock = options.clock;
    this.name = options.name ?? 'sim';
    this.speedup = options.speedup ?? 60;
    this.startDelayS = options.startDelayS ?? 1;
    if (!(this.speedup > 0)) throw new Error(`sim backend: speedup must be > 0, got ${this.speedup}`);
  }

  /** Jobs run `speedup` times faster than their estimate. */
  get timeScale(): number {
    return this.speedup;
  }

  /**
   * Makes the backend stop answering (`false`) or answer again, as a cluster manager behind a
   * broken link would (tests, drills): its jobs run on meanwhile, as they would at a real site.
   */
  setReachable(reachable: boolean): void {
    this.reachable = reachable;
  }

  async ping(): Promise<void> {
    this.answer();
  }

  private answer(): void {
    if (!this.reachable) throw new Error(`sim backend ${this.name} does not answer`);
  }

  async submit(job: BackendJob): Promise<{ externalId: string }> {
    this.answer();
    const run = `${job.jobId}#${job.attempt ?? 1}`;
    const existing = this.byJob.get(run);
    if (existing) return { externalId: existing };
    const nowS = this.clock.nowS();
    const startAtS = nowS + this.startDelayS + job.stageS / this.speedup;
    const endAtS = startAtS + job.durationS / this.speedup;
    // Seconds as exact as the clock gives them (a decision made at an end must see that end).
    const externalId = `sim:${job.jobId}:${startAtS}s:${endAtS}s`;
    this.byJob.set(run, externalId);
    return { externalId };
  }

  /**
   * Makes a run fail, now or at `atS`, as a node going down or a program crashing would (tests,
   * demonstrations): from then on it is reported failed with this class (and exit code).
   */
  fail(externalId: string, failureClass: FailureClass, options: { exitCode?: number; atS?: number } = {}): void {
    if (this.failed.has(externalId)) return;
    const { exitCode, atS } = options;
    this.failed.set(externalId, {
      atS: atS ?? this.clock.nowS(),
      failureClass,
      ...(exitCode !== undefined ? { exitCode } : {}),
    });
  }

  /** Caps a run from now until `untilS`: it keeps `throughput` of its speed meanwhile, so it ends later. */
  async powerCap(externalId: string, cap: PowerCap): Promise<void> {
    this.answer();
    const job = parse(externalId);
    if (!job) return;
    const fromS = Math.max(this.clock.nowS(), job.startAtS);
    const caps = this.caps.get(externalId) ?? [];
    caps.push({ fromS, untilS: cap.untilS, throughput: cap.throughput });
    this.caps.set(externalId, caps);
  }

  /** When a run ends with the caps it ran under. */
  private endOf(externalId: string, endAtS: number): number {
    let end = endAtS;
    for (const c of this.caps.get(externalId) ?? []) end = cappedEndS(end, c.fromS, c.untilS, c.throughput);
    return end;
  }

  async cancel(externalId: string): Promise<void> {
    this.answer();
    if (!this.cancelled.has(externalId)) this.cancelled.set(externalId, this.clock.nowS());
  }

  async poll(externalIds: readonly string[]): Promise<BackendStatus[]> {
    this.answer();
    const nowS = this.clock.nowS();
    const out: BackendStatus[] = [];
    for (const externalId of externalIds) {
      const parsed = parse(externalId);
      if (!parsed) continue;
      const job = { startAtS: parsed.startAtS, endAtS: this.endOf(externalId, parsed.endAtS) };
      const cancelledAtS = this.cancelled.get(externalId);
      const failed = this.failed.get(externalId);
      if (
        failed !== undefined &&
        failed.atS < job.endAtS &&
        (cancelledAtS === undefined || failed.atS <= cancelledAtS)
      ) {
        out.push({
          externalId,
          state: 'failed',
          ...(failed.atS >= job.startAtS ? { startedAtS: job.startAtS } : {}),
          endedAtS: failed.atS,
          failureClass: failed.failureClass,
          ...(failed.exitCode !== undefined ? { exitCode: failed.exitCode } : {}),
          message: `sim: ${failed.failureClass}`,
        });
      } else if (cancelledAtS !== undefined && cancelledAtS < job.endAtS) {
        out.push({
          externalId,
          state: 'cancelled',
          ...(cancelledAtS >= job.startAtS ? { startedAtS: job.startAtS } : {}),
          endedAtS: cancelledAtS,
        });
      } else if (nowS < job.startAtS) {
        out.push({ externalId, state: 'queued' });
      } else if (nowS < job.endAtS) {
        out.push({ externalId, state: 'running', startedAtS: job.startAtS });
      } else {
        out.push({
          externalId,
          state: 'succeeded',
          startedAtS: job.startAtS,
          endedAtS: job.endAtS,
          exitCode: 0,
        });
      }
    }
    return out;
  }
}

function parse(externalId: string): SimJob | undefined {
  const exact = /^sim:(.+):([\d.e+-]+)s:([\d.e+-]+)s$/.exec(externalId);
  if (exact) return { startAtS: Number(exact[2]), endAtS: Number(exact[3]) };
  // Written before exact times: milliseconds.
  const m = /^sim:(.+):(\d+):(\d+)$/.exec(externalId);
  if (!m) return undefined;
  return { startAtS: Number(m[2]) / 1000, endAtS: Number(m[3]) / 1000 };
}
