import { basename } from 'node:path';
import { formatNumber, type Network } from '@suanli/engine';
import {
  type MappingOptions,
  mapTrace,
  type SimJob,
  type SyntheticSpec,
  syntheticJobs,
  type TraceRow,
} from '@suanli/sim';
import { z } from 'zod';
import type { SuanliError } from './errors.ts';
import { int, LIMITS, list, num, positive, text } from './limits.ts';
import type { FieldPath } from './text-input.ts';
import { loadTraceFile } from './trace-file.ts';

/** A scenario's workload: a trace file (windowed, scaled, mapped onto the network) or synthetic jobs. */

type Fail = (at: FieldPath, message: string) => SuanliError;

const share = num(0, 1);
const fileRef = text(LIMITS.textChars).min(1);
const seed = int(-(2 ** 31), 2 ** 31 - 1);
/** Ten years: the longest span of a workload. */
const spanS = LIMITS.durationS * 10;

const kindMix = z.strictObject({
  train: share.optional(),
  finetune: share.optional(),
  'batch-infer': share.optional(),
  serve: share.optional(),
});

export const workloadSchema = z.strictObject({
  trace: fileRef.optional(),
  synthetic: z
    .strictObject({
      jobs: int(1, LIMITS.scenarioJobs),
      arrivalsPerHour: positive(1_000_000),
      seed: seed.optional(),
      diurnalAmplitude: share.optional(),
      users: int(1, 1_000_000).optional(),
      durationMedianS: positive(LIMITS.durationS).optional(),
      userSigma: num(0, 10).optional(),
      jobSigma: num(0, 10).optional(),
      mix: kindMix.optional(),
      /** The first arrival, a date (Beijing time): programmes, approvals and prices are dated. */
      start: text(10)
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD')
        .optional(),
    })
    .optional(),
  limit: int(1, LIMITS.scenarioJobs).optional(),
  fromS: num(0, spanS).optional(),
  toS: positive(spanS).optional(),
  timeScale: positive(1000).optional(),
  pinToQueue: z.boolean().optional(),
  seed: seed.optional(),
  datasetShare: share.optional(),
  deadlineShare: share.optional(),
  origins: list(text(64), LIMITS.sites).optional(),
});

export interface ResolvedWorkload {
  readonly description: string;
  jobsFor(network: Network): { jobs: () => Iterable<SimJob>; count?: number };
}

/** The jobs of a scenario's workload (a trace, or synthetic), mapped for each run's network; a bad one fails naming the field. */
export function resolveWorkload(
  w: z.infer<typeof workloadSchema>,
  here: (p: string) => string,
  fail: Fail,
  seed: number,
): ResolvedWorkload {
  if ((w.trace === undefined) === (w.synthetic === undefined))
    throw fail(['workload'], 'give either trace or synthetic');
  if (w.synthetic) {
    const s = w.synthetic;
    for (const k of ['limit', 'fromS', 'toS', 'timeScale', 'pinToQueue'] as const) {
      if (w[k] !== undefined) throw fail(['workload', k], 'applies to traces only');
    }
    const spec: SyntheticSpec = {
      jobs: s.jobs,
      seed: s.seed ?? seed,
      arrivalsPerHour: s.arrivalsPerHour,
      ...(s.diurnalAmplitude !== undefined ? { diurnalAmplitude: s.diurnalAmplitude } : {}),
      ...(s.start !== undefined ? { startS: Date.parse(`${s.start}T00:00:00+08:00`) / 1000 } : {}),
      ...(s.users !== undefined ? { users: s.users } : {}),
      ...(s.durationMedianS !== undefined ? { durationMedianS: s.durationMedianS } : {}),
      ...(s.userSigma !== undefined ? { userSigma: s.userSigma } : {}),
      ...(s.jobSigma !== undefined ? { jobSigma: s.jobSigma } : {}),
      ...(s.mix
        ? {
            mix: {
              train: s.mix.train ?? 0,
              finetune: s.mix.finetune ?? 0,
              'batch-infer': s.mix['batch-infer'] ?? 0,
              serve: s.mix.serve ?? 0,
            },
          }
        : {}),
      ...(w.deadlineShare !== undefined ? { deadlineShare: w.deadlineShare } : {}),
      ...(w.datasetShare !== undefined ? { datasetShare: w.datasetShare } : {}),
      ...(w.origins ? { origins: w.origins } : {}),
    };
    return {
      description: `synthetic, ${formatNumber(s.jobs)} jobs at ${formatNumber(s.arrivalsPerHour)} per hour (seed ${spec.seed})`,
      jobsFor: (network) => ({ jobs: () => syntheticJobs(spec, network), count: s.jobs }),
    };
  }
  const tracePath = here(w.trace as string);
  let rows: TraceRow[] = loadTraceFile(tracePath);
  const total = rows.length;
  if (w.fromS !== undefined) rows = rows.filter((r) => r.submitS >= (w.fromS as number));
  if (w.toS !== undefined) rows = rows.filter((r) => r.submitS < (w.toS as number));
  if (w.limit !== undefined) rows = rows.slice(0, w.limit);
  if (rows.length === 0) throw fail(['workload'], 'the window keeps no job of the trace');
  // Submit times start at the window's first job: the run begins when the workload does.
  const origin = rows[0]?.submitS ?? 0;
  const shifted = origin > 0 ? rows.map((r) => ({ ...r, submitS: r.submitS - origin })) : rows;
  const options: MappingOptions = {
    seed: w.seed ?? seed,
    ...(w.origins ? { origins: w.origins } : {}),
    ...(w.pinToQueue !== undefined ? { pinToQueue: w.pinToQueue } : {}),
    ...(w.timeScale !== undefined ? { timeScale: w.timeScale } : {}),
    ...(w.datasetShare !== undefined ? { datasetShare: w.datasetShare } : {}),
    ...(w.deadlineShare !== undefined ? { deadlineShare: w.deadlineShare } : {}),
  };
  const mapped = new Map<Network, SimJob[]>();
  const jobsOf = (network: Network): SimJob[] => {
    let jobs = mapped.get(network);
    if (!jobs) {
      if (w.origins) {
        const ids = new Set(network.sites.map((s) => s.id));
        w.origins.forEach((o, i) => {
          if (!ids.has(o)) throw fail(['workload', 'origins', i], `unknown site ${o}`);
        });
      }
      jobs = mapTrace(shifted, network, options).jobs;
      mapped.set(network, jobs);
    }
    return jobs;
  };
  const kept =
    rows.length === total
      ? `${formatNumber(total)} jobs`
      : `${formatNumber(rows.length)} of ${formatNumber(total)} jobs`;
  return {
    description: `${basename(tracePath)}, ${kept}${options.timeScale !== undefined && options.timeScale !== 1 ? `, time × ${options.timeScale}` : ''}`,
    jobsFor: (network) => {
      const jobs = jobsOf(network);
      return { jobs: () => jobs, count: jobs.length };
    },
  };
}
