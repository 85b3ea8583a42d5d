import { builtinNetwork, builtinProfile } from '@suanli/service';
import { type RecoveryMode, type SimJob, type SimSummary, simulate, syntheticJobs } from '@suanli/sim';

/** Llama 3's pre-training: 466 interruptions in 54 days on 16,384 GPUs, i.e. one per GPU every ~45,600 hours. */
export const LLAMA3_ACCELERATOR_MTBF_H = (16_384 * 54 * 24) / 466;

/** The outage: the site with the most accelerators, out for six hours from a day into the run. */
export const OUTAGE = { startS: 86_400, durationS: 6 * 3600 };

/**
 * Recovery at national scale: 2,000 synthetic jobs on cn-national, training and fine-tuning runs
 * twenty times the synthetic mix's length (days) and checkpointing every 30 minutes, while every
 * accelerator fails at Llama 3's rate and the largest site is out for six hours, under the
 * Suanli default; the jobs' recovery policies against no recovery (the baseline) and restarts in
 * place. ETTR and the work lost as a share of all accelerator-hours, for each.
 */
export function recoveryBench(): Record<string, number> {
  const network = builtinNetwork();
  const acceleratorsOf = (s: (typeof network.sites)[number]) => s.pools.reduce((n, p) => n + p.count, 0);
  const largest = [...network.sites].sort((a, b) => acceleratorsOf(b) - acceleratorsOf(a))[0]?.id as string;
  // Pre-training at scale: the synthetic mix's training and fine-tuning runs made twenty times as long.
  const jobs = [...syntheticJobs({ jobs: 2000, seed: 7, arrivalsPerHour: 40, deadlineShare: 0 }, network)].map(
    (j): SimJob =>
      j.job.kind === 'train' || j.job.kind === 'finetune'
        ? {
            ...j,
            job: { ...j.job, durationS: j.job.durationS * 20, checkpoint: { intervalS: 1800, sizeGb: 0 } },
          }
        : j,
  );
  const run = (recovery: RecoveryMode): SimSummary =>
    simulate({
      network,
      profile: builtinProfile('default'),
      jobs,
      estimates: 'history',
      seed: 1,
      cycleS: 60,
      preemption: { checkpointS: 0, restartS: 60 },
      failures: {
        acceleratorMtbfH: LLAMA3_ACCELERATOR_MTBF_H,
        seed: 1,
        recovery,
        outages: [{ siteId: largest, ...OUTAGE }],
      },
    });
  const out: Record<string, number> = {};
  for (const [mode, key] of [
    ['policy', ''],
    ['none', '_none'],
    ['in-place', '_in_place'],
  ] as const) {
    const s = run(mode);
    const r = s.recovery;
    if (!r) throw new Error('the run has no recovery summary');
    out[`recovery_ettr${key}_pct`] = r.ettr * 100;
    out[`recovery_lost_gpu_h${key}_pct`] =
      s.acceleratorHours > 0 ? (r.lostAcceleratorHours / s.acceleratorHours) * 100 : 0;
    out[`recovery_failed${key}_jobs`] = r.failedForGood;
    out[`recovery_jct_avg${key}_h`] = s.jctS.avg / 3600;
    if (mode === 'policy') {
      out['recovery_failures'] = r.failures;
      out['recovery_failovers'] = r.failovers;
      out['recovery_outage_h'] = r.siteOutageHours;
    }
  }
  return out;
}
