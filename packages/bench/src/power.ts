import {
  type Allocation,
  DEFAULT_SHED_ORDER,
  type GridRequest,
  planGridEvent,
  prepareNetwork,
  seededRng,
} from '@suanli/engine';
import { builtinNetwork, builtinProfile } from '@suanli/service';
import { type PowerInput, scaleNetwork, simulate, syntheticJobs } from '@suanli/sim';

/**
 * Demand response on the national network: three days of synthetic training and inference on
 * cn-national (jobs of 8 to 64 accelerators, runs of hours, a fifth with deadlines) under the
 * Suanli default, and every day at 18:00 local the grid asks the three busiest sites (as the run
 * without events found them) for 10 % less for two hours, with 15 minutes' notice and 15 minutes
 * to comply. The share of the asked kWh delivered within the windows (each event's load measured
 * against its baseline), and the average JCT with the events against the same run without them.
 */
export function demandResponseBench(): Record<string, number> {
  const network = builtinNetwork();
  const jobs = [
    ...syntheticJobs(
      {
        jobs: 3000,
        seed: 21,
        arrivalsPerHour: 50,
        deadlineShare: 0.2,
        durationMedianS: 6 * 3600,
        sizes: [
          [8, 0.6],
          [16, 0.25],
          [64, 0.15],
        ],
      },
      network,
    ),
  ];
  const run = (power?: PowerInput) =>
    simulate({
      network,
      profile: builtinProfile('default'),
      jobs,
      estimates: 'history',
      seed: 1,
      cycleS: 60,
      preemption: { checkpointS: 0, restartS: 60 },
      ...(power ? { power } : {}),
    });
  const base = run();
  const busiest = [...base.sites].sort((a, b) => b.acceleratorHours - a.acceleratorHours).slice(0, 3);
  const dr = run({
    daily: [
      {
        targets: busiest.map((s) => ({ level: 'site' as const, target: s.siteId })),
        fromHour: 18,
        hours: 2,
        reductionPct: 10,
        days: 3,
        firstDay: 0,
        noticeS: 900,
        complyWithinS: 900,
      },
    ],
  });
  const s = dr.demandResponse;
  if (!s) throw new Error('the run has no demand-response summary');
  return {
    dr_events: s.events,
    dr_delivered_pct: s.deliveredPct,
    dr_events_met_pct: s.eventsMetPct,
    dr_jct_cost_pct: base.jctS.avg > 0 ? ((dr.jctS.avg - base.jctS.avg) / base.jctS.avg) * 100 : 0,
    dr_lost_acc_h: s.lostAcceleratorHours,
    dr_parked_acc_h: s.parkedAcceleratorHours,
    dr_jobs_acted_on: Object.values(s.actions).reduce((n, k) => n + k, 0),
    dr_cost_yuan: s.costFen / 100,
    dr_energy_change_pct: base.energyKwh > 0 ? ((dr.energyKwh - base.energyKwh) / base.energyKwh) * 100 : 0,
  };
}

/**
 * Time to answer a grid event on the national network scaled to 100,000 running jobs (cn-national
 * copied to 105 sites, 1,000,000 accelerators, eight per job): the plan for the Sichuan region, the
 * largest site, and the whole of Inner Mongolia's copies at once is not possible (one level per
 * event), so the slowest of a region and a site is reported, best of three.
 */
export function gridPlanBench(): Record<string, number> {
  const network = scaleNetwork(builtinNetwork(), { sites: 105, accelerators: 1_000_000 });
  const net = prepareNetwork(network);
  const NOW = 1_795_392_000;
  const rng = seededRng(5);
  const free = net.pools.map((p) => p.pool.count);
  const allocations: Allocation[] = [];
  for (let i = 0; allocations.length < 100_000 && i < 2_000_000; i++) {
    const pool = net.pools[Math.floor(rng.next() * net.pools.length)];
    if (!pool || (free[pool.index] ?? 0) < 8) continue;
    free[pool.index] = (free[pool.index] ?? 0) - 8;
    allocations.push({
      jobId: `r${i}`,
      tenant: `t${i % 50}`,
      kind: i % 5 === 0 ? 'serve' : 'train',
      poolId: pool.pool.id,
      accelerator: pool.pool.accelerator,
      count: 8,
      startS: NOW - 600,
      endS: NOW + 600 + Math.floor(rng.next() * 86_400),
      priority: 0,
      preemptible: i % 3 === 0,
      ...(i % 4 === 0 ? { deadlineS: NOW + 86_400 } : {}),
      ...(i % 2 === 0 ? { checkpointS: 1800 } : {}),
    });
  }
  const biggestSite = [...net.sites].sort(
    (a, b) => b.site.pools.reduce((n, p) => n + p.count, 0) - a.site.pools.reduce((n, p) => n + p.count, 0),
  )[0];
  const requests: GridRequest[] = [
    {
      id: 'region',
      level: 'region',
      target: 'sichuan',
      startS: NOW,
      endS: NOW + 4 * 3600,
      complyByS: NOW + 900,
      reductionKw: 3000,
    },
    {
      id: 'site',
      level: 'site',
      target: biggestSite?.site.id ?? '',
      startS: NOW,
      endS: NOW + 4 * 3600,
      complyByS: NOW + 900,
      reductionKw: 2000,
    },
  ];
  let worstMs = 0;
  let actions = 0;
  for (const request of requests) {
    let best = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      const plan = planGridEvent(network, allocations, request, NOW, DEFAULT_SHED_ORDER);
      best = Math.min(best, performance.now() - t0);
      actions = Math.max(actions, plan.actions.length);
    }
    worstMs = Math.max(worstMs, best);
  }
  return { dr_plan_ms: worstMs, dr_plan_running_jobs: allocations.length, dr_plan_actions: actions };
}
