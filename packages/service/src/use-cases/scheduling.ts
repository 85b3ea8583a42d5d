import {
  type DecideResult,
  type Decision,
  decide,
  type OptimizerReport,
  type Placement,
  type Preemption,
  prepareNetwork,
  runCycleAsync,
} from '@suanli/engine';
import { authorize, type Principal } from '../auth.ts';
import { SuanliError } from '../errors.ts';
import { type JobRecord, toEngineJob } from '../job-record.ts';
import type { JobSpec } from '../job-spec.ts';
import type { UseCaseContext } from './context.ts';
import type { Dispatch } from './dispatch.ts';
import type { Grid } from './grid.ts';
import type { Serving } from './serving.ts';
import { stopRun } from './stop-run.ts';
import { timeScaleOf } from './time-scale.ts';

export interface CycleReport {
  readonly atS: number;
  readonly placed: number;
  readonly reserved: number;
  readonly waiting: number;
  readonly preempted: number;
  readonly dispatched: number;
  /** Estimated energy, carbon and cost of the jobs placed in this cycle. */
  readonly energyKwh: number;
  readonly carbonKg: number;
  readonly costCny: number;
}

/** What an on-demand run of the batch optimizer found, and did if applied. */
export interface OptimizeResult {
  readonly atS: number;
  readonly applied: boolean;
  readonly report?: OptimizerReport;
  readonly decisions: { readonly placed: number; readonly reserved: number; readonly waiting: number };
  /** What the cycle recorded, when applied. */
  readonly cycle?: CycleReport;
  /** Jobs the run places now or holds a later start for. */
  readonly plan: readonly {
    readonly jobId: string;
    readonly kind: 'place' | 'reserve';
    readonly siteId: string;
    readonly poolId: string;
    readonly startS: number;
  }[];
}

type MutableReport = { -readonly [K in keyof CycleReport]: CycleReport[K] };

/**
 * Scheduling: the cycles the ledger says are due, run through the engine's one cycle protocol
 * (`runCycleAsync`, as the simulator runs them), their decisions recorded in the store (each state
 * change with its audit entry) and applied to the ledger as they are made.
 */
export class Scheduling {
  private readonly ctx: UseCaseContext;
  private readonly serving: Serving;
  private readonly dispatch: Dispatch;
  private readonly grid: Grid;
  private readonly onCycle: ((nowS: number, result: DecideResult) => void) | undefined;
  private leading = false;

  constructor(
    ctx: UseCaseContext,
    dispatch: Dispatch,
    serving: Serving,
    grid: Grid,
    onCycle?: (nowS: number, result: DecideResult) => void,
  ) {
    this.ctx = ctx;
    this.dispatch = dispatch;
    this.grid = grid;
    this.serving = serving;
    this.onCycle = onCycle;
  }

  /**
   * Whether this process is the one that schedules (it may become so on this call). A process
   * that becomes the leader builds its ledger anew from the store.
   */
  async leads(): Promise<boolean> {
    const leads = await this.ctx.store.holdLeadership();
    if (leads && !this.leading) {
      await this.ctx.live.exclusive(() => this.ctx.live.rebuild());
      this.dispatch.leadershipGained();
    }
    this.leading = leads;
    return leads;
  }

  /**
   * One scheduling cycle, when one is due: the ledger learns what the store recorded since (new
   * jobs, cancels, what other processes did), the engine decides for the queued jobs due, the
   * decisions are recorded, and placed jobs are handed to their backends.
   */
  async schedule(): Promise<CycleReport> {
    const live = this.ctx.live;
    const report = await live.exclusive(async () => {
      await live.catchUp();
      const nowS = this.ctx.clock.nowS();
      const r = emptyReport(nowS);
      // Services scale first: the replicas they ask for are decided in this cycle.
      await this.serving.tick(nowS);
      // Grid events: plans carried out when due, their windows measured.
      await this.grid.tick(nowS);
      if (live.ledger.nextCycleS() > nowS) return r;
      const options = this.ctx.solver ? { solver: this.ctx.solver } : {};
      const result = await runCycleAsync(live.ledger, nowS, options, (d) => this.carryOut(d, nowS, r));
      if (result) this.onCycle?.(nowS, result);
      return r;
    });
    report.dispatched = await live.exclusive(() => this.dispatch.dispatch());
    return report;
  }

  /**
   * Runs the batch optimizer over the whole queue now. With `apply`, its plan is carried out as a
   * scheduling cycle would; without, nothing changes and the plan is only reported.
   */
  async optimize(apply: boolean, actor: Principal): Promise<OptimizeResult> {
    authorize(actor, 'optimize');
    if (!this.ctx.solver) {
      throw new SuanliError('OPTIMIZER_UNAVAILABLE', 'no LP/MIP solver is configured for this server');
    }
    if (this.ctx.profile.optimizer.mode === 'off') {
      throw new SuanliError('OPTIMIZER_UNAVAILABLE', `the batch optimizer is off in profile ${this.ctx.profile.name}`);
    }
    const solver = this.ctx.solver;
    const live = this.ctx.live;
    const out = await live.exclusive(async () => {
      await live.catchUp();
      const nowS = this.ctx.clock.nowS();
      const result = decide(live.ledger.peek(), nowS, { profile: this.ctx.profile, solver, optimize: true });
      let cycle: MutableReport | undefined;
      if (apply) {
        cycle = emptyReport(nowS);
        await this.carryOut(result, nowS, cycle);
        live.ledger.afterCycle(result, nowS);
      }
      return { nowS, result, cycle };
    });
    if (out.cycle) out.cycle.dispatched = await live.exclusive(() => this.dispatch.dispatch());
    const counts = { place: 0, reserve: 0, wait: 0 };
    for (const d of out.result.decisions) counts[d.kind]++;
    return {
      atS: out.nowS,
      applied: apply,
      ...(out.result.optimizer ? { report: out.result.optimizer } : {}),
      decisions: { placed: counts.place, reserved: counts.reserve, waiting: counts.wait },
      ...(out.cycle ? { cycle: out.cycle } : {}),
      plan: out.result.decisions.flatMap((d) =>
        d.kind === 'wait'
          ? []
          : [
              {
                jobId: d.jobId,
                kind: d.kind,
                siteId: d.placement.siteId,
                poolId: d.placement.poolId,
                startS: d.placement.estimate.startS,
              },
            ],
      ),
    };
  }

  /**
   * Records a cycle's decisions: placements (after their preemptions) and waiting explanations.
   * The store writes go together (they share commits: group commit); the ledger then takes them in
   * the order the engine decided, as the simulator does.
   */
  private async carryOut(result: DecideResult, nowS: number, report: MutableReport): Promise<void> {
    const places = result.decisions.filter((d): d is Extract<Decision, { kind: 'place' }> => d.kind === 'place');
    const stopped = new Map<string, JobRecord>();
    // Victims first: the jobs that take their accelerators are written after them.
    const victims = places.flatMap((d) => d.preempts.map((v) => ({ v, by: d.jobId })));
    await Promise.all(
      victims.map(async ({ v, by }) => {
        const r = await this.stop(v, by, nowS);
        if (r) stopped.set(v.jobId, r);
      }),
    );
    const placed = new Map<string, JobRecord>();
    await Promise.all(
      places.map(async (d) => {
        const r = await this.record(d, nowS);
        if (r) placed.set(d.jobId, r);
      }),
    );
    const waiting = result.decisions.filter((d): d is Exclude<Decision, { kind: 'place' }> => d.kind !== 'place');
    await Promise.all(waiting.map((d) => this.explain(d, nowS)));

    const live = this.ctx.live;
    for (const d of places) {
      for (const v of d.preempts) {
        const r = stopped.get(v.jobId);
        if (!r) continue;
        // The preempting job takes what the victim frees, in this same cycle.
        live.remember(r);
        live.ledger.preempt(v.jobId, toEngineJob(r));
        report.preempted++;
      }
      const job = placed.get(d.jobId);
      // Cancelled meanwhile: the catch-up takes it out of the queue.
      if (!job) continue;
      live.remember(job);
      live.ledger.hold(live.allocationOf(job));
      report.placed++;
      report.energyKwh += d.placement.estimate.energyKwh;
      report.carbonKg += d.placement.estimate.carbonKg;
      report.costCny += d.placement.estimate.costCny;
      // Transfers abroad count toward the yearly limits the rules enforce.
      for (const e of live.ledger.placed(toEngineJob(job), d.placement, nowS)) {
        const site = this.ctx.network().sites.find((s) => s.id === d.placement.siteId);
        await this.ctx.store.appendAudit({
          atS: nowS,
          kind: 'data.exported',
          subject: d.jobId,
          data: { ...e, to: site?.jurisdiction ?? 'foreign' },
        });
      }
    }
    for (const d of waiting) {
      if (d.kind === 'reserve') report.reserved++;
      else report.waiting++;
    }
  }

  /** Writes a placement: the record says where and why, from when, and which attempt it is. */
  private record(d: Extract<Decision, { kind: 'place' }>, nowS: number): Promise<JobRecord | undefined> {
    const pool = prepareNetwork(this.ctx.network()).poolById.get(d.placement.poolId);
    const rec = this.ctx.live.record(d.jobId);
    const attempt = (rec?.attempt ?? 0) + 1;
    return this.ctx.store.transitionJob(
      d.jobId,
      ['pending'],
      {
        state: 'scheduled',
        placement: d.placement,
        placedAtS: nowS,
        attempt,
        explanation: d.explanation,
        backend: pool?.pool.backend ?? 'sim',
        message: d.explanation.summary,
        updatedAtS: nowS,
      },
      {
        atS: nowS,
        kind: 'job.placed',
        subject: d.jobId,
        data: {
          ...placementAudit(d.placement, this.ctx.backends.get(pool?.pool.backend ?? 'sim')?.timeScale ?? 1),
          ...marketAudit(rec?.spec, d.placement.poolId),
        },
      },
    );
  }

  /** Stops a running job to make room for another (a preemption, or a grid event's plan). */
  private stop(v: Preemption, by: string, nowS: number): Promise<JobRecord | undefined> {
    return stopRun(this.ctx, this.dispatch, v, by, nowS);
  }

  /** A waiting job's explanation, refreshed at most every 30 s: it is not a state change. */
  private async explain(d: Exclude<Decision, { kind: 'place' }>, nowS: number): Promise<void> {
    const last = this.ctx.live.record(d.jobId)?.explanation;
    if (last && nowS - last.atS < 30) return;
    const updated = await this.ctx.store.transitionJob(d.jobId, ['pending'], {
      explanation: d.explanation,
      message: d.reason,
      updatedAtS: nowS,
    });
    if (updated) this.ctx.live.remember(updated);
  }

  /** The time scale of the backend that runs (or will run) a job: 1 unless it runs faster than real time. */
  timeScaleOf(j: JobRecord): number {
    return timeScaleOf(this.ctx, j);
  }
}

function emptyReport(atS: number): MutableReport {
  return {
    atS,
    placed: 0,
    reserved: 0,
    waiting: 0,
    preempted: 0,
    dispatched: 0,
    energyKwh: 0,
    carbonKg: 0,
    costCny: 0,
  };
}

/**
 * The placement as the audit log keeps it: where, how many, the estimate, and what metering reads
 * (the data staged per source site; the backend's time scale when it runs faster than the clock).
 */
function placementAudit(p: Placement, timeScale: number): Record<string, unknown> {
  return {
    siteId: p.siteId,
    poolId: p.poolId,
    accelerator: p.accelerator,
    count: p.count,
    ...(timeScale > 0 && timeScale !== 1 ? { workScale: timeScale } : {}),
    ...(p.transfers ? { transfers: p.transfers } : {}),
    startS: p.estimate.startS,
    costCny: round2(p.estimate.costCny),
    energyKwh: round2(p.estimate.energyKwh),
    carbonKg: round2(p.estimate.carbonKg),
  };
}

/** A market job's terms for metering: the price it bought the pool at, and a contract's SLA. */
function marketAudit(spec: JobSpec | undefined, poolId: string): Record<string, unknown> {
  const cny = spec?.market?.poolPrices[poolId];
  if (!spec?.market || cny === undefined) return {};
  const order = spec.order?.kind === 'contract' ? spec.order : undefined;
  return {
    market: {
      kind: spec.market.kind,
      ...(spec.market.id !== undefined ? { id: spec.market.id } : {}),
      fenPerAcceleratorHour: Math.round(cny * 100),
      ...(order?.startWithinS !== undefined
        ? { startWithinS: order.startWithinS, penaltyFen: order.penaltyFen ?? 0 }
        : {}),
      ...(order?.windowFromS !== undefined ? { windowFromS: order.windowFromS } : {}),
    },
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
