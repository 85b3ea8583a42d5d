import { buildProfile, DEFAULT_PROFILE_SPEC, decide, seededRng } from '@suanli/engine';
import { loadHighsSolver } from '@suanli/solver';
import { syntheticNetwork } from './synthetic-network.ts';
import { syntheticQueue } from './workload.ts';

const NOW = 1_795_392_000;

/**
 * The batch optimizer on 10,000 pending jobs (a third with deadlines, so they may take any of the
 * next 24 hourly slots) over 100 sites × 5 pools, with capacity tight enough that the first hours
 * are contended. Reports the wall time of the whole decision cycle and the gap of the plan to the
 * optimizer's lower bound on the per-job model (its Lagrangian bound: the batch is planned by
 * classes and prices; docs/design/batch-optimizer.md), with the classes and subgradient steps.
 */
export async function optimizerBench(): Promise<Record<string, number>> {
  const solver = await loadHighsSolver();
  const network = syntheticNetwork({ sites: 100, poolsPerSite: 5, poolSize: [128, 1024] }, seededRng(7));
  const queue = syntheticQueue(network, 10_000, NOW, seededRng(11), true);
  const profile = buildProfile({
    ...DEFAULT_PROFILE_SPEC,
    explain: 'brief',
    optimizer: {
      mode: 'on-demand',
      maxJobs: 10_000,
      optionsPerJob: 8,
      timeLimitS: 60,
      gapPct: 1,
      slotS: 3600,
      horizonS: 24 * 3600,
    },
  });
  const t0 = performance.now();
  const { decisions, optimizer } = decide({ network, allocations: [], queue }, NOW, {
    profile,
    solver,
    optimize: true,
  });
  const totalS = (performance.now() - t0) / 1000;
  if (!optimizer || optimizer.status === 'fallback-greedy')
    throw new Error(`optimizer did not plan: ${optimizer?.reason ?? 'no report'}`);
  if (decisions.length !== queue.length) throw new Error('every job gets a decision');
  return {
    optimizer_10k_s: totalS,
    optimizer_10k_gap_pct: optimizer.gapPct,
    optimizer_10k_columns: optimizer.columns,
    optimizer_10k_classes: optimizer.classes ?? 0,
    optimizer_10k_steps: optimizer.steps ?? 0,
    optimizer_10k_planned_pct: (100 * optimizer.assigned) / queue.length,
  };
}
