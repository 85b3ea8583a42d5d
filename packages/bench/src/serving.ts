import { type Network, Router, type ServiceSpec } from '@suanli/engine';
import { builtinNetwork, builtinProfile } from '@suanli/service';
import { type ServingMode, type SimSummary, simulate, syntheticJobs } from '@suanli/sim';

/** A day of chat traffic (UTC+8): quiet at night, a lunch bump, the peak at 21:00; 1 at the peak. */
export const CHAT_DAY = Array.from({ length: 24 }, (_, h) => {
  const evening = Math.exp(-(((h - 21) / 3.5) ** 2));
  const lunch = 0.45 * Math.exp(-(((h - 12.5) / 2) ** 2));
  return Math.round((0.12 + 0.88 * Math.max(evening, lunch)) * 1000) / 1000;
});

/** Eastern cities where the users are (the network's demand centres), and their shares of a service's load. */
const REGIONS: readonly [string, number][] = [
  ['shanghai', 0.45],
  ['beijing', 0.35],
  ['shenzhen', 0.2],
];

/**
 * Twelve chat services of tenants of cn-national, each on replicas of 8 H800 or H100 (a 70B model:
 * 8 req/s a replica), 20–60 req/s at their peak, p95 time to first token 650 ms with 150 ms of
 * prefill; two guaranteed replicas each.
 */
export function chatServices(network: Network): ServiceSpec[] {
  const tenants = network.tenants.map((t) => t.id);
  return Array.from({ length: 12 }, (_, i) => {
    const peak = 20 + ((i * 37) % 41);
    return {
      id: `chat-${i}`,
      tenant: tenants[i % tenants.length] ?? 'acme-ai',
      perReplica: [
        { accelerator: 'H800', perMember: 8 },
        { accelerator: 'H100', perMember: 8 },
      ],
      minReplicas: 2,
      maxReplicas: 40,
      guaranteed: 2,
      targetPerReplica: 8,
      sloMs: 650,
      inferenceMs: 150,
      demand: REGIONS.map(([regionId, share]) => ({
        regionId,
        requestsPerS: CHAT_DAY.map((x) => Math.round(x * peak * share * 10) / 10),
      })),
    };
  });
}

/**
 * Serving at national scale: the twelve services for two days on cn-national beside 1,500
 * synthetic batch jobs, provisioned by Suanli (the live autoscaler and placer), by static peak
 * provisioning at the site nearest each region, and by autoscaling at one site. SLO attainment, and
 * cost and carbon per million requests against static; the batch jobs' average JCT beside each.
 * Then routing: answers per second over 1,000 services × 20 replicas.
 */
export function servingBench(): Record<string, number> {
  const network = builtinNetwork();
  const services = chatServices(network);
  const jobs = [...syntheticJobs({ jobs: 1500, seed: 11, arrivalsPerHour: 30, deadlineShare: 0 }, network)];
  const run = (mode: ServingMode): SimSummary =>
    simulate({
      network,
      profile: builtinProfile('default'),
      jobs,
      estimates: 'history',
      seed: 1,
      cycleS: 60,
      serving: { services, mode, durationS: 2 * 86_400, stepS: 60 },
    });
  const auto = run('autoscale');
  const still = run('static');
  const one = run('one-site');
  const a = auto.serving;
  const s = still.serving;
  const o = one.serving;
  if (!a || !s || !o) throw new Error('the runs have no serving summary');
  const vs = (x: number, base: number) => (base > 0 ? (x / base - 1) * 100 : 0);
  return {
    serve_slo_attainment_pct: a.sloAttainment * 100,
    serve_cost_vs_static_pct: vs(a.costCnyPerMillion, s.costCnyPerMillion),
    serve_carbon_vs_static_pct: vs(a.carbonKgPerMillion, s.carbonKgPerMillion),
    serve_slo_attainment_static_pct: s.sloAttainment * 100,
    serve_slo_attainment_one_site_pct: o.sloAttainment * 100,
    serve_cost_one_site_vs_static_pct: vs(o.costCnyPerMillion, s.costCnyPerMillion),
    serve_cost_cny_per_million: a.costCnyPerMillion,
    serve_replica_hours: a.replicaHours,
    serve_replica_hours_static: s.replicaHours,
    serve_batch_jct_avg_h: auto.jctS.avg / 3600,
    serve_batch_jct_avg_static_h: still.jctS.avg / 3600,
    route_per_s: routeBench(network),
  };
}

/** Routing answers per second: 1,000 services of 20 running replicas each, requests from the three regions. */
export function routeBench(network: Network): number {
  const sites = network.sites.filter((s) => s.kind === 'cluster' || s.kind === 'demand-centre').map((s) => s.id);
  const base = chatServices(network)[0] as ServiceSpec;
  const routers = Array.from({ length: 1000 }, (_, i) => {
    const replicas = Array.from({ length: 20 }, (_, k) => ({
      id: `s${i}-r${k}`,
      siteId: sites[(i + k * 7) % sites.length] as string,
      loadPerS: ((i * 31 + k * 17) % 100) / 10,
    }));
    return new Router(
      network,
      { ...base, id: `s${i}` },
      replicas,
      REGIONS.map(([r]) => r),
    );
  });
  const regions = REGIONS.map(([r]) => r);
  const n = 1_000_000;
  let found = 0;
  const t0 = performance.now();
  for (let q = 0; q < n; q++) {
    const r = (routers[q % 1000] as Router).route(regions[q % 3] as string);
    if (r) found++;
  }
  const s = (performance.now() - t0) / 1000;
  if (found !== n) throw new Error(`routing found ${found} of ${n} replicas`);
  return n / s;
}
