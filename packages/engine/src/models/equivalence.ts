import type { AcceleratorSpec } from '../domain/accelerator.ts';
import type { AcceleratorOption, Job } from '../domain/job.ts';

/**
 * Accelerator equivalence: a job's `durationS` is its estimate on its first option. On another
 * option it runs for the time the same work takes at that option's total throughput, with dense
 * BF16 TFLOPS as the throughput of one device (docs/design/accelerator-equivalence.md):
 *
 *   duration(option) = durationS × (n₀ × TFLOPS₀) ÷ (n × TFLOPS)
 *
 * where n is the number of devices. This assumes the job scales linearly with throughput; it is
 * the first, documented approximation, and the network may override a type's TFLOPS.
 */
export function durationOnS(
  job: Pick<Job, 'durationS' | 'options'>,
  option: AcceleratorOption,
  spec: (type: string) => AcceleratorSpec | undefined,
): number {
  const ref = job.options[0];
  if (!ref || (ref.accelerator === option.accelerator && ref.perMember === option.perMember)) return job.durationS;
  const refSpec = spec(ref.accelerator);
  const optSpec = spec(option.accelerator);
  if (!refSpec || !optSpec) return job.durationS;
  return (job.durationS * ref.perMember * refSpec.bf16DenseTflops) / (option.perMember * optSpec.bf16DenseTflops);
}

/** Throughput of one device of `type` relative to one of `reference`. */
export function throughputRatio(type: AcceleratorSpec, reference: AcceleratorSpec): number {
  return type.bf16DenseTflops / reference.bf16DenseTflops;
}
