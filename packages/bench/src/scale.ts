import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type Allocation,
  buildProfile,
  DEFAULT_PROFILE_SPEC,
  type Decision,
  Ledger,
  prepareNetwork,
  runCycle,
  seededRng,
} from '@suanli/engine';
import { loadTraceFile, parseNetwork } from '@suanli/service';
import { mapTrace } from '@suanli/sim';
import { run } from './simulation.ts';
import { syntheticNetwork } from './synthetic-network.ts';
import { syntheticQueue } from './workload.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PHILLY = `${REPO}../shared/data/traces/philly-2017-excerpt15k.csv.gz`;

/** One site with one pool of A100s: the single cluster that policy studies use. */
/**
 * One cluster at one site (Beijing's grid and a flat tariff): `pools` as accelerators in nodes of
 * a size, or one undivided pool of `accelerators`.
 */
export function singleCluster(
  id: string,
  accelerators: number | readonly { readonly count: number; readonly nodeSize: number }[],
): string {
  const pools =
    typeof accelerators === 'number'
      ? [`      - { accelerator: A100, count: ${accelerators}, priceCnyPerAcceleratorHour: 10 }`]
      : accelerators.map(
          (p) =>
            `      - { id: ${id}-a100-n${p.nodeSize}, accelerator: A100, count: ${p.count}, nodeSize: ${p.nodeSize}, priceCnyPerAcceleratorHour: 10 }`,
        );
  return `name: ${id}
sites:
  - id: ${id}
    name: ${id}
    province: Beijing
    lat: 39.9
    lon: 116.4
    pue: 1.3
    powerCapMw: 1000
    gridCarbonKgPerKwh: 0.58
    tariff: { flatCnyPerKwh: 0.6 }
    pools:
${pools.join('\n')}
`;
}

/**
 * A long queue: the Philly excerpt's dense last ten days on one 1,024-GPU cluster under FIFO, where
 * thousands of jobs wait at once. Simulated jobs per second of wall time. The trace is read from
 * ../shared (its licence keeps it out of the repository).
 */
export function simPhillyBench(): Record<string, number> {
  if (!existsSync(PHILLY)) throw new Error(`skipped: needs ${PHILLY}`);
  // One cluster of 1,024 GPUs (128 nodes × 8), as the Philly excerpt's own cluster is studied.
  const network = parseNetwork(singleCluster('philly', [{ count: 1024, nodeSize: 8 }]), 'philly.yaml');
  const rows = loadTraceFile(PHILLY).filter((r) => r.submitS >= 4_147_200);
  const { jobs } = mapTrace(rows, network, { seed: 1, datasetShare: 0 });
  const t0 = performance.now();
  const r = run(network, 'fifo-nearest', jobs);
  const s = (performance.now() - t0) / 1000;
  return {
    sim_philly_jobs: jobs.length,
    sim_philly_fifo_jobs_per_s: jobs.length / s,
    sim_philly_fifo_avg_jct_h: r.jctS.avg / 3600,
  };
}

function allocationOf(d: Extract<Decision, { kind: 'place' }>): Allocation {
  return {
    jobId: d.jobId,
    tenant: 'bench',
    kind: 'train',
    poolId: d.placement.poolId,
    accelerator: d.placement.accelerator,
    count: d.placement.count,
    startS: d.placement.estimate.startS,
    endS: d.placement.estimate.endS,
    priority: 0,
    preemptible: true,
  };
}

/**
 * One live scheduling cycle at scale, as the scheduler runs it: a ledger holding 100,000 running
 * jobs over 2,000 sites × 5 pools, and 10,000 pending jobs due for a decision, decided by the
 * default profile (brief explanations, as the live service writes for waiting jobs every 30 s).
 * The ledger is built once; the figure is the cycle alone (the engine's share of a live cycle: the
 * store's writes of its placements come on top).
 */
export function cycleBench(): Record<string, number> {
  const rng = seededRng(7);
  const network = syntheticNetwork({ sites: 2000, poolsPerSite: 5, poolSize: [256, 2048] }, rng);
  const net = prepareNetwork(network);
  const profile = buildProfile({ ...DEFAULT_PROFILE_SPEC, explain: 'brief' });
  const ledger = new Ledger(network, profile, { cycleS: 0 });
  const NOW = 1_795_392_000;
  // 100,000 running jobs, spread over the pools, each holding what its pool has room for.
  const free = net.pools.map((p) => p.pool.count);
  let held = 0;
  for (let i = 0; held < 100_000 && i < 1_000_000; i++) {
    const pool = net.pools[i % net.pools.length];
    if (!pool) break;
    const count = 1 + (i % 4);
    if ((free[pool.index] ?? 0) < count) continue;
    free[pool.index] = (free[pool.index] ?? 0) - count;
    const a: Allocation = {
      jobId: `r${i}`,
      tenant: `t${i % 50}`,
      kind: 'train',
      poolId: pool.pool.id,
      accelerator: pool.pool.accelerator,
      count,
      startS: NOW - 600,
      endS: NOW + 600 + (i % 7200),
      priority: 0,
      preemptible: true,
    };
    ledger.hold(a);
    held++;
  }
  for (const job of syntheticQueue(network, 10_000, NOW, seededRng(11), false)) ledger.enqueue(job, NOW);
  // The first cycle decides every pending job (a start, a leader change); later ones, what changed.
  const t0 = performance.now();
  const first = runCycle(ledger, NOW, {}, (r) => {
    for (const d of r.decisions) if (d.kind === 'place') ledger.hold(allocationOf(d));
  });
  const coldMs = performance.now() - t0;
  // A minute later, 100 running jobs have ended and 100 new ones arrived: the next cycle.
  const later = NOW + 60;
  for (let i = 0; i < 100; i++) ledger.release(`r${i * 97}`, later);
  for (const job of syntheticQueue(network, 100, later, seededRng(13), false))
    ledger.enqueue({ ...job, id: `n-${job.id}` }, later);
  const t1 = performance.now();
  const next = runCycle(ledger, later, {}, () => {});
  const warmMs = performance.now() - t1;
  return {
    cycle_running_jobs: held,
    cycle_pending_jobs: first?.decisions.length ?? 0,
    cycle_ms_10k_pending: coldMs,
    cycle_next_decided: next?.decisions.length ?? 0,
    cycle_next_ms: warmMs,
  };
}
