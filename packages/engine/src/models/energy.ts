import type { AcceleratorSpec } from '../domain/accelerator.ts';
import type { JobKind } from '../domain/job.ts';

/**
 * Mean device power as a fraction of TDP, by job kind. From the project's H100 measurement
 * (docs/design/energy-model.md): training 675 W of 700 W; memory-bound work 402 W; batch-1
 * decode 186 W. Batch inference is taken as memory-bound, serving as decode-like.
 */
export const ACTIVITY_FRACTION: Readonly<Record<JobKind, number>> = {
  train: 0.96,
  finetune: 0.96,
  'batch-infer': 0.57,
  serve: 0.27,
};

/** Device power when idle with a context open: 123 W of 700 W measured. */
export const IDLE_FRACTION = 0.18;

/**
 * Host share (CPUs, memory, NICs, fans) on top of the devices' own power, as a fraction of it.
 * Estimate: a DGX H100 draws up to 10.2 kW for 8 × 700 W GPUs (0.82 × at full load); we take 0.35
 * as a typical load.
 */
export const HOST_OVERHEAD_FRACTION = 0.35;

/** IT power of `count` devices of one type running a job of `kind`. */
export function itPowerKw(spec: AcceleratorSpec, kind: JobKind, count: number): number {
  return (count * spec.tdpW * ACTIVITY_FRACTION[kind] * (1 + HOST_OVERHEAD_FRACTION)) / 1000;
}

/** IT power of `count` idle devices of one type. */
export function idlePowerKw(spec: AcceleratorSpec, count: number): number {
  return (count * spec.tdpW * IDLE_FRACTION * (1 + HOST_OVERHEAD_FRACTION)) / 1000;
}

/** Facility energy (IT × PUE) of a run. */
export function facilityEnergyKwh(
  spec: AcceleratorSpec,
  kind: JobKind,
  count: number,
  durationS: number,
  pue: number,
): number {
  return itPowerKw(spec, kind, count) * pue * (durationS / 3600);
}
