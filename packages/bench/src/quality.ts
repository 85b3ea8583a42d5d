import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Network, Pool } from '@suanli/engine';
import { BUILTIN_POLICIES, builtinNetwork, loadNetworkFile, loadTraceFile, parseNetwork } from '@suanli/service';
import { mapTrace, type SimJob, type SimSummary } from '@suanli/sim';
import { singleCluster } from './scale.ts';
import { run } from './simulation.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SHARED = `${REPO}../shared/data/traces/`;

/** Loads at which every trace is run: its own cluster size, and that size cut to about 65 % and 80 % busy. */
export const LOADS = ['own', '65', '80'] as const;
export type Load = (typeof LOADS)[number];

/** One trace on one network, at its own size. */
interface TraceCase {
  readonly id: string;
  readonly title: string;
  readonly network: Network;
  readonly jobs: readonly SimJob[];
}

/** One policy's figures on one trace at one load. */
export interface QualityRow {
  readonly trace: string;
  readonly load: Load;
  readonly accelerators: number;
  readonly policy: string;
  readonly summary: SimSummary;
  readonly wallS: number;
}

/** Every trace the project has, each on the network it is studied on (those in ../shared only when present). */
function traceCases(): TraceCase[] {
  const cases: TraceCase[] = [];
  const itpRows = loadTraceFile(`${REPO}data/traces/msft-itp-2021.csv.gz`);
  const itpNet = loadNetworkFile(`${REPO}examples/networks/msft-itp.yaml`);
  cases.push({
    id: 'itp',
    title: 'Microsoft ITP 2021 on its ten clusters',
    network: itpNet,
    jobs: mapTrace(itpRows, itpNet, { seed: 1, pinToQueue: true, datasetShare: 0 }).jobs,
  });
  const national = builtinNetwork();
  cases.push({
    id: 'itp-cn',
    title: 'Microsoft ITP 2021 on cn-national',
    network: national,
    jobs: mapTrace(itpRows, national, { seed: 1, deadlineShare: 0.3 }).jobs,
  });
  const philly = `${SHARED}philly-2017-excerpt15k.csv.gz`;
  if (existsSync(philly)) {
    // Philly's GPU servers held 8 GPUs (a few 2-GPU racks are left out).
    const network = parseNetwork(singleCluster('philly', [{ count: 1024, nodeSize: 8 }]), 'philly.yaml');
    cases.push({
      id: 'philly',
      title: 'Philly 2017 excerpt on 1,024 GPUs',
      network,
      jobs: mapTrace(loadTraceFile(philly), network, { seed: 1, datasetShare: 0 }).jobs,
    });
  }
  const alibaba = `${SHARED}alibaba-openb-2023.csv.gz`;
  if (existsSync(alibaba)) {
    const network = parseNetwork(singleCluster('openb', alibabaNodes()), 'openb.yaml');
    cases.push({
      id: 'alibaba',
      title: `Alibaba 2023 (openb) on its ${accelerators(network).toLocaleString('en-US')} GPUs`,
      network,
      jobs: mapTrace(loadTraceFile(alibaba), network, { seed: 1, datasetShare: 0 }).jobs,
    });
  }
  return cases;
}

/**
 * GPUs of the Alibaba openb cluster, from its node list: one pool per node size (its servers hold
 * 1, 2, 4 or 8 GPUs; the GPU models are not told apart, as the trace's jobs do not ask for one).
 */
function alibabaNodes(): { count: number; nodeSize: number }[] {
  const lines = readFileSync(`${SHARED}alibaba-openb-2023-nodes.csv`, 'utf8').trim().split('\n').slice(1);
  const bySize = new Map<number, number>();
  for (const l of lines) {
    const cells = l.split(',');
    const size = Number(cells[1]);
    bySize.set(size, (bySize.get(size) ?? 0) + size * Number(cells[4]));
  }
  return [...bySize.entries()]
    .filter(([size, count]) => size > 0 && count > 0)
    .sort((a, b) => b[0] - a[0])
    .map(([nodeSize, count]) => ({ count, nodeSize }));
}

function accelerators(network: Network): number {
  return network.sites.reduce((n, s) => n + s.pools.reduce((m, p) => m + p.count, 0), 0);
}

/**
 * The network cut so that the trace's offered load (accelerator-seconds asked ÷ arrival window)
 * keeps it about `utilization` busy; no pool below the largest job. Undefined when the own size
 * is already that busy.
 */
function cut(c: TraceCase, utilization: number): Network | undefined {
  let demandS = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  // The largest job each site must still hold: jobs pinned to sites count there, the others everywhere.
  let largestAnywhere = 1;
  const largestAt = new Map<string, number>();
  for (const { job } of c.jobs) {
    const n = (job.options[0]?.perMember ?? 1) * job.gang;
    demandS += n * job.durationS;
    first = Math.min(first, job.submittedAtS);
    last = Math.max(last, job.submittedAtS);
    if (job.sites) for (const s of job.sites) largestAt.set(s, Math.max(largestAt.get(s) ?? 1, n));
    else largestAnywhere = Math.max(largestAnywhere, n);
  }
  const offered = demandS / Math.max(1, last - first);
  const factor = offered / (utilization * accelerators(c.network));
  if (factor >= 1) return undefined;
  return {
    ...c.network,
    sites: c.network.sites.map((s) => {
      const floor = Math.max(largestAnywhere, largestAt.get(s.id) ?? 1);
      // Every pool cut by the factor, in whole nodes; the site's largest pool still holds its
      // largest job; a pool cut to nothing is left out. Never above a pool's own size.
      const largest = s.pools.reduce((best, p) => (p.count > best.count ? p : best), s.pools[0] as Pool);
      const pools = s.pools
        .map((p) => {
          const node = p.nodeSize ?? 1;
          let count = Math.round((p.count * factor) / node) * node;
          if (p === largest) count = Math.max(count, Math.ceil(floor / node) * node);
          return { ...p, count: Math.min(p.count, count) };
        })
        .filter((p) => p.count > 0);
      return { ...s, pools };
    }),
  };
}

function runPolicy(network: Network, policy: string, jobs: readonly SimJob[]): { summary: SimSummary; wallS: number } {
  const t0 = performance.now();
  const summary = run(network, policy, jobs);
  return { summary, wallS: (performance.now() - t0) / 1000 };
}

/**
 * Every shipped policy on every trace at every load. `SUANLI_BENCH_QUALITY_TRACES` (ids, comma
 * separated), `SUANLI_BENCH_QUALITY_POLICIES` and `SUANLI_BENCH_QUALITY_LOADS` (own, 65, 80) limit it.
 */
export function qualityMatrix(): QualityRow[] {
  const onlyTraces = process.env['SUANLI_BENCH_QUALITY_TRACES']?.split(',');
  const onlyPolicies = process.env['SUANLI_BENCH_QUALITY_POLICIES']?.split(',');
  const onlyLoads = process.env['SUANLI_BENCH_QUALITY_LOADS']?.split(',');
  const policies = Object.keys(BUILTIN_POLICIES).filter((p) => !onlyPolicies || onlyPolicies.includes(p));
  const rows: QualityRow[] = [];
  for (const c of traceCases()) {
    if (onlyTraces && !onlyTraces.includes(c.id)) continue;
    for (const load of LOADS) {
      if (onlyLoads && !onlyLoads.includes(load)) continue;
      const network = load === 'own' ? c.network : cut(c, Number(load) / 100);
      if (!network) continue;
      for (const policy of policies) {
        const { summary, wallS } = runPolicy(network, policy, c.jobs);
        if (process.env['SUANLI_BENCH_QUALITY_VERBOSE']) {
          process.stderr.write(
            `${c.id} ${load} ${policy}: ${(summary.jctS.avg / 3600).toFixed(2)} h, ${wallS.toFixed(1)} s\n`,
          );
        }
        rows.push({ trace: c.id, load, accelerators: accelerators(network), policy, summary, wallS });
      }
    }
  }
  return rows;
}

const avgJct = (rows: readonly QualityRow[], trace: string, load: Load, policy: string): number | undefined =>
  rows.find((r) => r.trace === trace && r.load === load && r.policy === policy)?.summary.jctS.avg;

/** The headline figures of the matrix (issue 13's targets). */
export function qualityFigures(rows: readonly QualityRow[]): Record<string, number> {
  const cells = [...new Set(rows.map((r) => `${r.trace}|${r.load}`))].map((k) => {
    const [trace = '', load = 'own'] = k.split('|') as [string, Load];
    return { trace, load };
  });
  let lasOverDefaultMin = Number.POSITIVE_INFINITY;
  let defaultOverBestUncontendedMax = 0;
  let defaultOverSrtfMax = 0;
  for (const { trace, load } of cells) {
    const d = avgJct(rows, trace, load, 'default');
    if (d === undefined || d <= 0) continue;
    const las = avgJct(rows, trace, load, 'las');
    const srtf = avgJct(rows, trace, load, 'srtf');
    if (las !== undefined && load !== 'own') lasOverDefaultMin = Math.min(lasOverDefaultMin, las / d);
    if (srtf !== undefined && srtf > 0) defaultOverSrtfMax = Math.max(defaultOverSrtfMax, d / srtf);
    if (load === 'own') {
      const best = Math.min(...rows.filter((r) => r.trace === trace && r.load === load).map((r) => r.summary.jctS.avg));
      if (best > 0) defaultOverBestUncontendedMax = Math.max(defaultOverBestUncontendedMax, d / best);
    }
  }
  const phillyDefault = rows.find((r) => r.trace === 'philly' && r.load === 'own' && r.policy === 'default');
  return {
    quality_cells: cells.length,
    quality_runs: rows.length,
    ...(Number.isFinite(lasOverDefaultMin) ? { quality_las_over_default_min: lasOverDefaultMin } : {}),
    quality_default_over_best_uncontended_max: defaultOverBestUncontendedMax,
    quality_default_over_srtf_max: defaultOverSrtfMax,
    ...(phillyDefault
      ? { sim_philly_default_jobs_per_s: phillyDefault.summary.jobs.submitted / phillyDefault.wallS }
      : {}),
    quality_wall_s: rows.reduce((n, r) => n + r.wallS, 0),
  };
}

/** The matrix as a Markdown table: one row per trace, load and policy. */
export function qualityTable(rows: readonly QualityRow[]): string {
  const h = (s: number) => (s / 3600).toFixed(2);
  const lines = [
    '| trace | load | accelerators | policy | avg JCT h | p95 JCT h | avg queueing h | avg wait h | utilization (arrivals) % | cost kCNY | carbon t | preemptions | wall s |',
    '|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const s = r.summary;
    const quiet = s.peakDemandAccelerators <= s.capacityAccelerators ? ' (nothing queued)' : '';
    lines.push(
      `| ${r.trace} | ${r.load === 'own' ? 'own size' : `offered ~${r.load} %`}${quiet} | ${r.accelerators.toLocaleString('en-US')} | ${r.policy} | ${h(s.jctS.avg)} | ${h(s.jctS.p95)} | ${h(s.queueDelayS.avg)} | ${h(s.waitS.avg)} | ${(s.utilizationArrivals * 100).toFixed(1)} | ${(s.costCny / 1000).toFixed(0)} | ${(s.carbonKg / 1000).toFixed(1)} | ${s.jobs.preemptions} | ${r.wallS.toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}
