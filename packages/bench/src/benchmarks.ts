import { apiPostgresBench, apiSqliteBench, apiSustainedBench } from './api.ts';
import { auditAppendBench, auditProofBench, policyOverheadBench } from './governance.ts';
import { optimizerBench } from './optimizer.ts';
import { placementBench } from './placement.ts';
import { demandResponseBench, gridPlanBench } from './power.ts';
import { qualityFigures, qualityMatrix } from './quality.ts';
import { recoveryBench } from './recovery.ts';
import { cycleBench, simPhillyBench } from './scale.ts';
import { servingBench } from './serving.ts';
import { settlementBench } from './settlement.ts';
import { qualityBench, sim1mBench, simItpBench } from './simulation.ts';
import { slurmDispatchBench } from './slurm.ts';

/** A benchmark: runs in its own process and returns named figures. */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  /** Target per figure, for the table: `≥ 20000`, `≤ 2`. */
  readonly targets: Readonly<Record<string, string>>;
  run(): Promise<Record<string, number>>;
}

export const BENCHMARKS: readonly Benchmark[] = [
  {
    name: 'placement_100sites',
    description: 'placement decisions per second, 100 sites × 5 pools, one core (brief / full explanations)',
    targets: { placement_100sites_per_s: '≥ 20000' },
    run: async () => ({
      placement_100sites_per_s: placementBench(100, 5, 5000, 'brief'),
      placement_100sites_full_per_s: placementBench(100, 5, 2000, 'full'),
    }),
  },
  {
    name: 'placement_10kpools',
    description: 'the same at 10,000 pools: 2,000 sites × 5 pools (brief / full explanations)',
    targets: { placement_10kpools_per_s: '≥ 2000' },
    run: async () => ({
      placement_10kpools_per_s: placementBench(2000, 5, 1000, 'brief'),
      placement_10kpools_full_per_s: placementBench(2000, 5, 200, 'full'),
    }),
  },
  {
    name: 'optimizer_10k',
    description: 'batch optimizer: 10,000 jobs × 100 sites × 24 hourly slots, by classes and prices (Lagrangian bound)',
    targets: { optimizer_10k_s: '≤ 2', optimizer_10k_gap_pct: '≤ 1' },
    run: optimizerBench,
  },
  {
    name: 'sim_itp',
    description: 'simulated jobs per second: the whole Microsoft ITP trace on its ten clusters (FIFO / Suanli default)',
    targets: { sim_itp_jobs_per_s: '≥ 40000', sim_itp_default_jobs_per_s: '≥ 20000' },
    run: async () => simItpBench(),
  },
  {
    name: 'sim_philly',
    description:
      'a long queue: the Philly excerpt (dense last ten days) on one 1,024-GPU cluster, FIFO (from ../shared)',
    targets: { sim_philly_fifo_jobs_per_s: '≥ 20000' },
    run: async () => simPhillyBench(),
  },
  {
    name: 'cycle_10k',
    description: 'one live scheduling cycle through the ledger: 10,000 pending, 100,000 running, 2,000 sites × 5 pools',
    targets: { cycle_ms_10k_pending: '≤ 200' },
    run: async () => cycleBench(),
  },
  {
    name: 'sim_1m',
    description:
      'one million synthetic jobs on the national network scaled to 1M accelerators over 105 sites, Suanli default (20,000 of them by default, time extrapolated linearly: a lower bound; SUANLI_BENCH_1M_JOBS=1000000 runs all)',
    targets: { sim_1m_full_s: '≤ 120', sim_1m_full_rss_mb: '≤ 2048' },
    run: async () => sim1mBench(),
  },
  {
    name: 'demand_response',
    description:
      'grid events on cn-national: a week of synthetic work, daily 10 % cuts for 2 h at two western sites and the Sichuan region; delivered share of asked kWh, JCT change',
    targets: { dr_delivered_pct: '≥ 99', dr_jct_cost_pct: '≤ 3' },
    run: async () => demandResponseBench(),
  },
  {
    name: 'grid_plan',
    description: 'time to plan the answer to a grid event: cn-national scaled to 105 sites, 100,000 running jobs',
    targets: { dr_plan_ms: '≤ 500' },
    run: async () => gridPlanBench(),
  },
  {
    name: 'quality_cn',
    description:
      'Suanli default vs FIFO to the nearest site, ITP trace on the national network (change in %); LAS ÷ default JCT',
    targets: {
      quality_cn_cost_pct: '≤ -30',
      quality_cn_carbon_pct: '≤ -50',
      quality_cn_jct_pct: '≤ -40',
      quality_vs_las_jct_ratio: '≥ 1.3',
    },
    run: async () => qualityBench(),
  },
  {
    name: 'quality_traces',
    description:
      'every shipped policy on every trace (ITP on its clusters and on cn-national, Philly, Alibaba 2023) at its own size and cut to ~65 % and ~80 % busy: average-JCT ratios (npm run bench:quality for the whole table)',
    targets: {
      quality_las_over_default_min: '≥ 1.05',
      quality_default_over_best_uncontended_max: '≤ 1.02',
      quality_default_over_srtf_max: '≤ 1.2',
      sim_philly_default_jobs_per_s: '≥ 10000',
    },
    run: async () => qualityFigures(qualityMatrix()),
  },
  {
    name: 'recovery',
    description:
      'failures at Llama 3’s rate (an accelerator every ~45,600 h) on cn-national, 2,000 synthetic jobs with days-long training checkpointing every 30 min: ETTR, work lost (% of accelerator-hours) and jobs failed for good with the jobs’ recovery, none (baseline), restarts in place; the largest site (helinger) out for 6 h a day into the run',
    targets: { recovery_ettr_pct: '≥ 95' },
    run: async () => recoveryBench(),
  },
  {
    name: 'serving',
    description:
      'twelve chat services (users in Shanghai, Beijing, Shenzhen; a day curve peaking at 21:00) for two days on cn-national beside 1,500 batch jobs: Suanli (autoscaler and placer) against static peak provisioning at the nearest site and autoscaling at one site; routing over 1,000 services × 20 replicas',
    targets: {
      serve_slo_attainment_pct: '≥ 99',
      serve_cost_vs_static_pct: '≤ −45',
      serve_carbon_vs_static_pct: '≤ −30',
      route_per_s: '≥ 50000',
    },
    run: async () => servingBench(),
  },
  {
    name: 'settlement',
    description:
      'metering and settlement of a made-up month of the audit log on cn-national (about 1M job attempts, 4M entries): meter records folded from the log at the prices in force, every bill and statement, reconciled to the fen',
    targets: { settle_month_s: '≤ 30', settle_diff_fen: '= 0' },
    run: async () => settlementBench(),
  },
  {
    name: 'policy_overhead',
    description:
      'placement throughput lost with the China policy on: 2,000 jobs on cn-national, half with catalog data',
    targets: { policy_overhead_pct: '≤ 10' },
    run: async () => policyOverheadBench(),
  },
  {
    name: 'audit_append',
    description:
      'audit entries appended per second to a SQLite file, durable on return: 64 writers (group commit) / one writer',
    targets: { audit_append_per_s: '≥ 10000' },
    run: auditAppendBench,
  },
  {
    name: 'audit_proof',
    description:
      'Merkle tree of 10M audit entries: build time, then inclusion + consistency proof, generated and verified (ms)',
    targets: {},
    run: async () => auditProofBench(),
  },
  {
    name: 'api_sqlite',
    description:
      'job submissions over HTTP from another process on loopback, SQLite store: 50 connections; latency at 1,000/s',
    targets: { api_submit_per_s_sqlite: '≥ 5000', api_p99_ms_at_1k: '< 50' },
    run: apiSqliteBench,
  },
  {
    name: 'api_pg',
    description: 'the same on PostgreSQL (needs DATABASE_URL)',
    targets: { api_submit_per_s_pg: '≥ 2000' },
    run: apiPostgresBench,
  },
  {
    name: 'api_sustained',
    description:
      'one-second jobs submitted at a steady rate for 60 s (SUANLI_BENCH_SUSTAIN_S), every one accepted, placed and finished: SQLite, then PostgreSQL when DATABASE_URL is set',
    targets: { api_sustained_short_jobs_per_s_sqlite: '≥ 2000', api_sustained_short_jobs_per_s_pg: '≥ 1000' },
    run: apiSustainedBench,
  },
  {
    name: 'slurm_dispatch',
    description:
      'jobs/s through Suanli to a real Slurm ÷ raw sbatch jobs/s, same machine, same run (needs SLURMRESTD_URL)',
    targets: { slurm_dispatch_ratio: '≥ 0.95', slurm_lost: '0' },
    run: slurmDispatchBench,
  },
];
