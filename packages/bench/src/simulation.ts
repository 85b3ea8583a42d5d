import { fileURLToPath } from 'node:url';
import type { Network } from '@suanli/engine';
import { BUILTIN_POLICIES, builtinNetwork, builtinProfile, loadNetworkFile, loadTraceFile } from '@suanli/service';
import { mapTrace, type SimJob, type SimSummary, scaleNetwork, simulate, syntheticJobs } from '@suanli/sim';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ITP_TRACE = `${REPO}data/traces/msft-itp-2021.csv.gz`;

/** A built-in policy simulated on the network as every simulation benchmark runs it (seed 1, 60 s cycle). */
export function run(network: Network, policy: string, jobs: Iterable<SimJob>, jobCount?: number): SimSummary {
  const p = BUILTIN_POLICIES[policy];
  if (!p) throw new Error(`no built-in policy ${policy}`);
  return simulate({
    network,
    profile: builtinProfile(p.profile),
    jobs,
    ...(jobCount !== undefined ? { jobCount } : {}),
    estimates: p.estimates,
    seed: 1,
    cycleS: 60,
    preemption: { checkpointS: 0, restartS: 60 },
  });
}

function timed<T>(f: () => T): { value: T; s: number } {
  const t0 = performance.now();
  const value = f();
  return { value, s: (performance.now() - t0) / 1000 };
}

/**
 * The whole Microsoft ITP trace (69,351 jobs) replayed on its own ten clusters
 * (examples/networks/msft-itp.yaml, each job pinned to its cluster): simulated jobs per second of
 * wall time, under FIFO (the simulator's own cost) and under the Suanli default (the engine's).
 */
export function simItpBench(): Record<string, number> {
  const network = loadNetworkFile(`${REPO}examples/networks/msft-itp.yaml`);
  const { jobs } = mapTrace(loadTraceFile(ITP_TRACE), network, { seed: 1, pinToQueue: true, datasetShare: 0 });
  const fifo = timed(() => run(network, 'fifo-nearest', jobs));
  const dflt = timed(() => run(network, 'default', jobs));
  for (const r of [fifo, dflt]) {
    if (r.value.jobs.finished !== jobs.length) throw new Error(`${r.value.jobs.finished} of ${jobs.length} finished`);
  }
  return {
    sim_itp_jobs: jobs.length,
    sim_itp_jobs_per_s: jobs.length / fifo.s,
    sim_itp_default_jobs_per_s: jobs.length / dflt.s,
  };
}

/**
 * National scale: the built-in network scaled to about a million accelerators over 105 sites, and
 * synthetic jobs (generated lazily) arriving to keep it about half busy; the Suanli default decides
 * every minute. By default it runs the first 20,000 of the million jobs and extrapolates the time
 * to a million linearly — a lower bound: the run slows as the queues of scarce accelerator types
 * grow (docs/design/simulator.md) — and `SUANLI_BENCH_1M_JOBS=1000000` runs them all.
 */
export function sim1mBench(): Record<string, number> {
  const jobs = Number(process.env['SUANLI_BENCH_1M_JOBS'] ?? 20_000);
  const network = scaleNetwork(builtinNetwork(), { sites: 100, accelerators: 1_000_000 });
  const accelerators = network.sites.reduce((n, s) => n + s.pools.reduce((m, p) => m + p.count, 0), 0);
  // Mean demand of an ITP-like job is about 3.4 accelerators × 4.6 h (log-normal mean): ~16 accelerator-hours.
  const arrivalsPerHour = Math.round((0.5 * accelerators) / 16);
  const r = timed(() =>
    run(network, 'default', syntheticJobs({ jobs, seed: 1, arrivalsPerHour, deadlineShare: 0.3 }, network), jobs),
  );
  if (r.value.jobs.finished + r.value.jobs.rejected !== jobs) throw new Error('not every job finished');
  return {
    sim_1m_sites: network.sites.length,
    sim_1m_accelerators: accelerators,
    sim_1m_jobs_run: jobs,
    sim_1m_jobs_per_s: jobs / r.s,
    sim_1m_decisions_per_job: r.value.decisions / jobs,
    // Measured when every job ran; else extrapolated linearly from the jobs run (a lower bound).
    sim_1m_full_s: (r.s * 1_000_000) / jobs,
    // Peak memory of this run (of the jobs run: the workload is generated lazily).
    sim_1m_full_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

/**
 * Placement quality on the national network: the Microsoft ITP trace submitted by teams in the
 * eastern demand centres (30 % of fine-tune and batch-inference jobs with a deadline), placed by
 * the Suanli default, by FIFO to the nearest site, and by LAS (Tiresias) at the nearest site.
 * Percentages are the default's change against FIFO-nearest (negative is better). `SUANLI_BENCH_ITP_JOBS`
 * limits the trace to its first jobs.
 */
export function qualityBench(): Record<string, number> {
  const limit = Number(process.env['SUANLI_BENCH_ITP_JOBS'] ?? 0);
  const network = builtinNetwork();
  const rows = loadTraceFile(ITP_TRACE);
  const { jobs } = mapTrace(limit > 0 ? rows.slice(0, limit) : rows, network, { seed: 1, deadlineShare: 0.3 });
  const dflt = run(network, 'default', jobs);
  const fifo = run(network, 'fifo-nearest', jobs);
  const las = run(network, 'las', jobs);
  const pct = (a: number, b: number) => (100 * (a - b)) / b;
  return {
    quality_cn_jobs: jobs.length,
    quality_cn_cost_pct: pct(dflt.costCny, fifo.costCny),
    quality_cn_carbon_pct: pct(dflt.carbonKg, fifo.carbonKg),
    quality_cn_jct_pct: pct(dflt.jctS.avg, fifo.jctS.avg),
    quality_cn_default_deadline_misses: dflt.deadlineMisses,
    quality_cn_fifo_deadline_misses: fifo.deadlineMisses,
    quality_vs_las_jct_ratio: las.jctS.avg / dflt.jctS.avg,
  };
}
