import {
  type Allocation,
  allocationOf,
  capAllocation,
  cappedEndS,
  type Decision,
  type FailureClass,
  gridCapThroughput,
  type Job,
  keptWorkS,
  Ledger,
  NodeOccupancy,
  type NodeShare,
  type Placement,
  type Preemption,
  type Profile,
  prepareNetwork,
  runCycle,
  withCheckpointData,
} from '@suanli/engine';
import { Estimator } from './estimator.ts';
import { EventQueue } from './event-queue.ts';
import { Failures } from './failures.ts';
import { Column, type SimSummary } from './metrics.ts';
import { HealthEvents } from './run-health.ts';
import { GridEvents } from './run-power.ts';
import { RunSeries } from './run-series.ts';
import { ServiceDriver } from './run-services.ts';
import { type RunOutcome, SimBooks } from './run-settlement.ts';
import { ARRIVAL, arrivedJob, CYCLE, END, type Event, type Live, type Run } from './run-state.ts';
import { runSummary } from './run-summary.ts';
import type { SectorFigures, SiteFigures, TenantFigures } from './run-usage.ts';
import { type SimInput, STALL_S } from './sim-input.ts';

export type { SimInput, SimProgress } from './sim-input.ts';

/**
 * Runs a workload through the production engine and the same ledger the live service keeps: its
 * events (arrivals, starts, ends, preemptions) update the ledger, and every cycle the ledger says
 * is due runs through `runCycle`, as the live service's do; the decisions are carried out here:
 * starts, preemptions (the stopped job goes back to the queue with the work it has done and the
 * service it attained), reservations (the ledger wants a cycle at the reserved start). Jobs run for
 * their true run time, scaled by throughput when placed on another accelerator type.
 * Deterministic: the same input gives the same summary.
 */
export function simulate(input: SimInput): SimSummary {
  const { network } = input;
  // Nobody reads explanations in a simulation: switching them off changes no decision, only speed.
  const profile: Profile = input.profile.explain === 'none' ? input.profile : { ...input.profile, explain: 'none' };
  const net = prepareNetwork(network);
  const estimator = new Estimator(input.estimates);
  const events = new EventQueue<Event>();
  const arrivals = input.jobs[Symbol.iterator]();
  const cycleS = input.cycleS;
  const checkpointS = input.preemption?.checkpointS ?? 0;
  const restartS = input.preemption?.restartS ?? 0;
  const capacity = net.pools.reduce((n, p) => n + p.pool.count, 0);

  const waiting = new Map<string, Live>();
  const ledger = new Ledger(network, profile, {
    cycleS,
    ...(input.maxParkS !== undefined ? { maxParkS: input.maxParkS } : {}),
  });
  const running = new Map<string, Live>();
  /** Cycle events in the event queue, by time: the ledger says when cycles are due, this pushes each once. */
  const pendingCycles = new Set<number>();
  let token = 0;
  let arrived = 0;
  let finished = 0;
  let rejected = 0;
  const rejectedFor = new Map<string, number>();
  let preemptions = 0;
  let failedForGood = 0;
  let cycles = 0;
  let evaluated = 0;
  let firstS = Number.NaN;
  let lastS = 0;
  let lastArrivalS = Number.NEGATIVE_INFINITY;
  let arrivalsDone = false;
  /** When a job last arrived, started or ended: a run with nothing left to happen stops. */
  let lastProgressS = 0;

  // Metrics
  const bucketS = input.bucketS ?? 3600;
  /** Quantities over time, from the first event. */
  let series: RunSeries | undefined;
  /** Pools with a node size: which nodes hold what (the allocations' node shares). */
  const nodes = net.pools.map((p) => (p.pool.nodeSize ? new NodeOccupancy(p.pool.count, p.pool.nodeSize) : undefined));
  /** Free accelerators on part-used nodes. */
  let fragmented = 0;
  /** Whether runs started or ended since the last gauge, and the hour it was taken in. */
  let runsChanged = true;
  let gaugedHour = Number.NaN;
  const jct = new Column();
  const delay = new Column();
  const slowdown = new Column();
  const wait = new Column();
  /** Accelerators asked for by the jobs in the system, and the most at once. */
  let demandNow = 0;
  let peakDemand = 0;
  const siteFig: SiteFigures[] = net.sites.map(() => ({ accS: 0, energyKwh: 0, costCny: 0, carbonKg: 0, jobs: 0 }));
  const tenants = new Map<string, TenantFigures>();
  const sectors = new Map<string, SectorFigures>();
  let transferGb = 0;
  let deadlineJobs = 0;
  let deadlineMisses = 0;
  let acceleratorS = 0;
  /** Accelerator-seconds of restarts and of work lost since the last checkpoint. */
  let wastedS = 0;
  const failures = input.failures ? new Failures(input.failures) : undefined;
  const books = input.settlement ? new SimBooks(net) : undefined;

  const serving = input.serving
    ? new ServiceDriver(network, input.serving, {
        arrived: (sim, estimateS) => arrivedJob(sim, estimateS),
        enqueue: (live, t) => {
          books?.submitted(live.sim.job, t);
          ledger.enqueue(queuedJob(live), t);
          noteQueue(t);
        },
        stop: (live, t) => {
          if (live.run) {
            endRun(live, t, 'cancelled');
            ledger.release(live.sim.job.id, t);
          } else if (live.queued) {
            ledger.dequeue(live.sim.job.id);
            unqueue(live, t);
          }
        },
      })
    : undefined;

  const pullArrival = () => {
    const next = arrivals.next();
    if (next.done) {
      arrivalsDone = true;
      return;
    }
    const sim = next.value;
    if (sim.job.submittedAtS < lastArrivalS) {
      throw new Error(`the workload is not in submit order at job ${sim.job.id}`);
    }
    lastArrivalS = sim.job.submittedAtS;
    events.push(sim.job.submittedAtS, ARRIVAL, { kind: 'arrival', sim });
  };

  /** Puts the ledger's next due cycle in the event queue (once). */
  const scheduleCycle = () => {
    const at = ledger.nextCycleS();
    if (!Number.isFinite(at) || pendingCycles.has(at)) return;
    pendingCycles.add(at);
    events.push(at, CYCLE, { kind: 'cycle' });
  };

  const noteQueue = (t: number) => {
    series?.queue(t, waiting.size, capacity - series.busyNow, fragmented);
  };

  /** Books a run's node shares on its pool (fragmentation); returns what it took. */
  const onNodes = (poolIndex: number, placement: Placement): NodeShare[] | undefined => {
    const occ = nodes[poolIndex];
    if (!occ) return undefined;
    const shares = placement.nodes && occ.canTake(placement.nodes) ? [...placement.nodes] : occ.pack(placement.count);
    if (!shares) return undefined;
    fragmented -= occ.fragmented;
    occ.take(shares);
    fragmented += occ.fragmented;
    return shares;
  };

  /** The job as the engine sees it in the queue: what is left of it to do, the service it attained. */
  const queuedJob = (live: Live): Job => {
    const remainingEstimateS =
      input.estimates === 'oracle' ? live.remainingS : Math.max(60, live.estimateS - live.doneS);
    const base: Job = {
      ...live.sim.job,
      durationS: remainingEstimateS,
      ...(live.attainedS > 0 ? { attainedS: live.attainedS } : {}),
      ...(live.notBeforeS !== undefined ? { notBeforeS: live.notBeforeS } : {}),
      ...(live.retrySites ? { sites: live.retrySites } : {}),
      ...(live.failedAt ? { failedAt: live.failedAt } : {}),
    };
    const job = live.doneS > 0 ? withCheckpointData(base, live.checkpointSiteId) : base;
    live.queued = job;
    waiting.set(job.id, live);
    return job;
  };

  /** Out of the queue: started (the ledger holds it now) or dropped (the ledger dropped it). */
  const unqueue = (live: Live, t: number) => {
    waiting.delete(live.sim.job.id);
    live.queued = undefined;
    noteQueue(t);
  };

  /** Ends a run at t (finished or preempted): books its service, energy, cost and carbon. The ledger is told by the caller. */
  const endRun = (live: Live, t: number, outcome: RunOutcome, failureClass?: FailureClass): number => {
    const run = live.run as Run;
    const ranS = Math.max(0, t - run.computeStartS);
    books?.ended(live.sim.job, t, outcome, ranS, failureClass);
    const e = run.placement.estimate;
    const f = e.durationS > 0 ? ranS / e.durationS : 0;
    const site = siteFig[run.siteIndex];
    const count = run.alloc.count;
    if (site) {
      site.accS += count * ranS;
      site.energyKwh += e.energyKwh * f;
      site.costCny += (e.computeCostCny + e.energyCostCny) * f;
      site.carbonKg += e.carbonKg * f;
    }
    live.computeS += ranS;
    live.acceleratorS += count * ranS;
    failures?.allocated(live.sim.job, count * ranS);
    acceleratorS += count * ranS;
    live.attainedS += count * ranS;
    const occ = nodes[net.poolById.get(run.alloc.poolId)?.index ?? -1];
    if (occ && run.nodes) {
      fragmented -= occ.fragmented;
      occ.give(run.nodes);
      fragmented += occ.fragmented;
    }
    serving?.runEnded(live, run, ranS);
    live.run = undefined;
    running.delete(live.sim.job.id);
    series?.busyChange(t, run.siteIndex, -count);
    runsChanged = true;
    noteQueue(t);
    return ranS;
  };

  const start = (live: Live, placement: Placement, t: number) => {
    const job = live.queued as Job;
    unqueue(live, t);
    const pool = net.poolById.get(placement.poolId);
    if (!pool) throw new Error(`the engine placed ${job.id} on unknown pool ${placement.poolId}`);
    const e = placement.estimate;
    const scale = job.durationS > 0 ? e.durationS / job.durationS : 1;
    const computeStartS = Math.max(t, e.startS);
    books?.started(job, placement, t, computeStartS);
    const overheadS = live.preemptions > 0 ? restartS : 0;
    const endS = computeStartS + overheadS + live.remainingS * scale;
    const alloc = allocationOf({ ...job, attainedS: live.attainedS }, placement, t, e.endS);
    const my = ++token;
    live.run = {
      alloc,
      placement,
      siteIndex: pool.site.index,
      computeStartS,
      endS,
      scale,
      overheadS,
      nodes: onNodes(pool.index, placement),
      token: my,
    };
    ledger.hold(alloc);
    // Transfers abroad count toward the yearly limits the rules enforce, as live.
    ledger.placed(job, placement, t);
    running.set(job.id, live);
    if (Number.isNaN(live.firstStartS)) live.firstStartS = t;
    lastProgressS = t;
    transferGb += e.transferGb;
    const site = siteFig[pool.site.index];
    if (site) {
      site.costCny += e.transferCostCny;
      site.jobs++;
    }
    series?.busyChange(t, pool.site.index, placement.count);
    runsChanged = true;
    noteQueue(t);
    if (failures && live.failedAt !== undefined) {
      if (live.failedAt.siteId !== placement.siteId) failures.failovers++;
      live.failedAt = undefined;
    }
    live.notBeforeS = undefined;
    const failure = failures?.draw(placement.count, computeStartS, endS);
    if (failure) events.push(failure.atS, END, { kind: 'fail', live, token: my, failureClass: failure.failureClass });
    else events.push(endS, END, { kind: 'end', live, token: my });
  };

  /**
   * A run failed: the decision the live service takes (afterFailure), or the run's baseline. A
   * retry goes back to the queue whole, after its back-off, with the work to its last checkpoint.
   */
  const fail = (live: Live, failureClass: FailureClass, t: number) => {
    input.onFailure?.({ jobId: live.sim.job.id, atS: t, failureClass });
    const run = live.run as Run;
    const { scale, overheadS, alloc, placement } = run;
    const progressS = Math.max(0, Math.max(0, t - run.computeStartS) - overheadS);
    const job = live.sim.job;
    const engineJob: Job = live.retrySites ? { ...job, sites: live.retrySites } : job;
    const f = failures as Failures;
    const d = f.decide(engineJob, { failureClass, siteId: placement.siteId, ranS: progressS }, live.restarts, t);
    const ranS = endRun(live, t, d.retry ? 'retried' : 'failed', failureClass);
    ledger.release(live.sim.job.id, t);
    if (!d.retry) {
      // Everything it ran is lost: this run, and the work of earlier runs it will never finish.
      const lost = live.acceleratorS - live.lostAccS;
      f.lost(job, lost);
      live.lostAccS += lost;
      wastedS += lost;
      f.failedForGood++;
      failedForGood++;
      demandNow -= acceleratorsAsked(job);
      noteQueue(t);
      return;
    }
    // From the beginning when its checkpoint is out of reach: earlier runs' kept work is lost too.
    const earlierS = d.fromScratch ? alloc.count * live.doneS * scale : 0;
    const lostS = alloc.count * (ranS - d.keptS) + earlierS;
    f.lost(job, lostS);
    live.lostAccS += lostS;
    wastedS += lostS;
    if (d.fromScratch) {
      live.remainingS = live.sim.job.durationS;
      live.doneS = 0;
      live.checkpointSiteId = undefined;
    }
    const work = scale > 0 ? d.keptS / scale : d.keptS;
    live.remainingS = Math.max(0, live.remainingS - work);
    live.doneS += work;
    live.preemptions++;
    live.restarts = d.restart;
    f.restarts++;
    live.failedAt = { siteId: placement.siteId, failureClass };
    live.retrySites = d.sites;
    if (d.keptS > 0) live.checkpointSiteId = placement.siteId;
    live.notBeforeS = d.notBeforeS;
    ledger.enqueue(queuedJob(live), t);
    noteQueue(t);
  };

  const health = new HealthEvents(ledger, events, failures, input.failures, (siteId, t) => {
    // Every run there fails as a site outage, recovered by the jobs' policies (as live).
    for (const live of [...running.values()]) {
      if (live.run && net.sites[live.run.siteIndex]?.site.id === siteId) fail(live, 'site-outage', t);
    }
  });

  const grid = input.power
    ? new GridEvents(ledger, net, events, input.power, input.seed, {
        stop: (jobId, poolId, t, reason) => {
          if (running.get(jobId)?.run?.alloc.poolId !== poolId) return false;
          const alloc = running.get(jobId)?.run?.alloc as Allocation;
          preempt({ jobId, poolId: alloc.poolId, count: alloc.count, reason }, t);
          ledger.requestCycle(t);
          return true;
        },
        cap: (jobId, poolId, capW, untilS, t) => {
          const live = running.get(jobId);
          const run = live?.run;
          const pool = run ? net.poolById.get(run.alloc.poolId) : undefined;
          if (!live || !run || !pool || run.alloc.poolId !== poolId || untilS <= t) return false;
          const alloc = capAllocation(run.alloc, pool.spec, capW, t, untilS);
          const throughput = gridCapThroughput(pool.spec, alloc.kind, capW, run.alloc.powerCapW);
          const endS = cappedEndS(run.endS, t, untilS, throughput);
          const my = ++token;
          live.run = { ...run, alloc, endS, token: my };
          ledger.hold(alloc);
          events.push(endS, END, { kind: 'end', live, token: my });
          runsChanged = true;
          return true;
        },
      })
    : undefined;

  const preempt = (p: Preemption, t: number) => {
    const victim = running.get(p.jobId);
    if (!victim?.run) throw new Error(`the engine preempted ${p.jobId}, which is not running`);
    const { scale, overheadS, alloc, placement } = victim.run;
    const ranS = endRun(victim, t, 'preempted');
    // Progress counts from the end of the restart, and only up to the last checkpoint: the job's
    // own (as live), else the scenario's assumption.
    const progressS = Math.max(0, ranS - overheadS);
    const own = victim.sim.job.checkpoint;
    const savedS = own
      ? keptWorkS(victim.sim.job, progressS)
      : checkpointS > 0
        ? Math.floor(progressS / checkpointS) * checkpointS
        : progressS;
    if (own && savedS > 0) victim.checkpointSiteId = placement.siteId;
    wastedS += alloc.count * (ranS - savedS);
    const work = scale > 0 ? savedS / scale : savedS;
    victim.remainingS = Math.max(0, victim.remainingS - work);
    victim.doneS += work;
    victim.preemptions++;
    preemptions++;
    ledger.preempt(p.jobId, queuedJob(victim));
    noteQueue(t);
  };

  const finish = (live: Live, t: number) => {
    const { overheadS, alloc } = live.run as Run;
    endRun(live, t, 'succeeded');
    ledger.release(live.sim.job.id, t);
    wastedS += alloc.count * overheadS;
    finished++;
    const job = live.sim.job;
    const jctS = t - job.submittedAtS;
    const runS = Math.max(live.computeS, 10);
    jct.push(jctS);
    delay.push(live.firstStartS - job.submittedAtS);
    slowdown.push(Math.max(1, jctS / runS));
    wait.push(Math.max(0, jctS - live.computeS));
    demandNow -= acceleratorsAsked(job);
    const tenant = tenants.get(job.tenant);
    if (tenant) {
      tenant.jobs++;
      tenant.accS += live.acceleratorS;
      tenant.jctS += jctS;
      tenant.slowdown += Math.max(1, jctS / runS);
    }
    const sector = sectors.get(live.sim.sector);
    if (sector) {
      sector.jobs++;
      sector.accS += live.acceleratorS;
    }
    if (job.deadlineS !== undefined) {
      deadlineJobs++;
      if (t > job.deadlineS) deadlineMisses++;
    }
    estimator.observe(live.sim);
  };

  const apply = (d: Decision, live: Live, t: number) => {
    if (d.kind === 'place') {
      for (const p of d.preempts) preempt(p, t);
      start(live, d.placement, t);
    } else if (d.kind === 'wait' && d.unresolvable) {
      // The ledger drops it from the queue after the cycle.
      unqueue(live, t);
      rejected++;
      demandNow -= acceleratorsAsked(live.sim.job);
      const reason = d.reason.replace(/\d[\d.,]*/g, '#');
      rejectedFor.set(reason, (rejectedFor.get(reason) ?? 0) + 1);
    }
  };

  const cycle = (t: number) => {
    const result = runCycle(ledger, t, input.solver ? { solver: input.solver } : {}, ({ decisions }) => {
      for (const d of decisions) {
        const live = waiting.get(d.jobId);
        if (live) apply(d, live, t);
      }
    });
    if (result) {
      cycles++;
      evaluated += result.decisions.length;
      input.onCycle?.(t, result);
    }
    // The gauge changes only when runs start or end, or the hour (its tariff and carbon) turns:
    // measured then, or when someone listens to every cycle's.
    const hour = Math.floor(t / 3600);
    if ((result && input.onGauge) || runsChanged || hour !== gaugedHour) {
      const g = ledger.gauge(t);
      if (result) input.onGauge?.(g);
      series?.gauge(t, g);
      runsChanged = false;
      gaugedHour = hour;
    }
  };

  pullArrival();
  let sinceProgress = 0;
  for (let e = events.pop(); e; e = events.pop()) {
    const t = e.timeS;
    const ev = e.item;
    const isHealth = HealthEvents.is(ev);
    const isGrid = GridEvents.is(ev);
    // Outages and grid events after the last job ended change nothing (and do not lengthen the run).
    if (
      (isHealth || (isGrid && ev.kind === 'grid-issue')) &&
      arrivalsDone &&
      running.size === 0 &&
      waiting.size === 0
    ) {
      continue;
    }
    if (Number.isNaN(firstS)) {
      firstS = t;
      series = new RunSeries(t, bucketS, net.sites.length);
      health.schedule(
        t,
        net.sites.map((s) => s.site.id),
      );
      if (serving) events.push(serving.start(t), ARRIVAL, { kind: 'scale' });
      grid?.schedule(t);
    }
    lastS = Math.max(lastS, t);
    if (ev.kind === 'arrival') {
      arrived++;
      const sim = ev.sim;
      const tenant = tenants.get(sim.job.tenant);
      if (!tenant) tenants.set(sim.job.tenant, { sector: sim.sector, jobs: 0, accS: 0, jctS: 0, slowdown: 0 });
      const first = sim.job.options[0];
      const demandS = (first ? first.perMember * sim.job.gang : 0) * sim.job.durationS;
      const sector = sectors.get(sim.sector);
      if (sector) sector.demandS += demandS;
      else sectors.set(sim.sector, { jobs: 0, accS: 0, demandS });
      const live = arrivedJob(sim, estimator.estimateS(sim));
      books?.submitted(sim.job, t);
      demandNow += acceleratorsAsked(sim.job);
      peakDemand = Math.max(peakDemand, demandNow);
      ledger.enqueue(queuedJob(live), t);
      noteQueue(t);
      pullArrival();
    } else if (ev.kind === 'end') {
      if (ev.live.run?.token !== ev.token) continue; // preempted since: a stale end
      // A replica that ran to its service's end is stopped, not a finished job.
      if (serving?.isReplica(ev.live.sim.job.id)) {
        endRun(ev.live, t, 'cancelled');
        ledger.release(ev.live.sim.job.id, t);
      } else finish(ev.live, t);
    } else if (ev.kind === 'fail') {
      if (ev.live.run?.token !== ev.token) continue;
      fail(ev.live, ev.failureClass, t);
    } else if (isHealth) {
      health.handle(ev, t);
    } else if (isGrid) {
      grid?.handle(ev, t);
    } else if (ev.kind === 'scale') {
      const next = serving?.step(t);
      if (next !== undefined) events.push(next, ARRIVAL, { kind: 'scale' });
    } else {
      pendingCycles.delete(t);
      // Nothing runs, nothing will arrive, and nothing has started for a week: the jobs left
      // wait for something that will not come (they are reported unfinished).
      if (arrivalsDone && running.size === 0 && t - lastProgressS > STALL_S) break;
      if (ledger.nextCycleS() <= t) cycle(t);
    }
    scheduleCycle();
    grid?.sample(t);
    if (ev.kind !== 'cycle' && !isHealth && !isGrid) lastProgressS = t;
    if (input.onProgress && ++sinceProgress >= 2000) {
      sinceProgress = 0;
      input.onProgress({
        simS: t - firstS,
        arrived,
        finished,
        ...(input.jobCount !== undefined ? { total: input.jobCount } : {}),
      });
    }
  }

  return runSummary({
    net,
    capacity,
    bucketS,
    firstS,
    lastS,
    lastArrivalS,
    jobs: { arrived, finished, rejected, failedForGood, preemptions, rejectedFor },
    columns: { jct, delay, slowdown, wait },
    acceleratorS,
    wastedS,
    peakDemand,
    transferGb,
    deadlineJobs,
    deadlineMisses,
    cycles,
    evaluated,
    siteFig,
    tenants,
    sectors,
    series,
    parts: {
      ...(failures ? { recovery: failures.summary() } : {}),
      ...(serving ? { serving: serving.summary() } : {}),
      ...(books ? { settlement: books.summary() } : {}),
      ...(grid ? { demandResponse: grid.summary() } : {}),
    },
  });
}

/** Accelerators a job asks for with its first choice. */
function acceleratorsAsked(job: Job): number {
  return (job.options[0]?.perMember ?? 0) * job.gang;
}
