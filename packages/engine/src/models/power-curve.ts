import type { AcceleratorSpec } from '../domain/accelerator.ts';
import type { JobKind } from '../domain/job.ts';
import { ACTIVITY_FRACTION, HOST_OVERHEAD_FRACTION, IDLE_FRACTION } from './energy.ts';

/**
 * Power–throughput curve of an accelerator under a power cap (docs/design/power.md).
 *
 * Points measured on one H100 (docs/design/energy-model.md): idle with a context 123 W (0.18 of
 * TDP), memory-bound 402 W (0.57), training 675 W (0.96), batch-1 decode 186 W (0.27). A cap at or
 * above a kind's own draw changes nothing. Below it, the device draws the cap, and the power it
 * draws over idle scales with clock × voltage², so (voltage following clock) with the cube of the
 * clock: a compute-bound job (train, finetune) keeps the cube root of its power share over idle
 * as throughput. Memory-bound work (batch-infer) depends on memory bandwidth more than on clocks:
 * half of its time is taken to scale with the clock. Decode (serve) likewise. ASSUMPTIONS, not
 * measured here: the measurement ran at the 700 W limit only.
 */

/** The lowest cap a device takes, as a fraction of TDP (the H100 SXM accepts 200–700 W). */
export const MIN_CAP_FRACTION = 0.29;

/** Share of a kind's run time that scales with the clock. */
const CLOCK_BOUND: Readonly<Record<JobKind, number>> = { train: 1, finetune: 1, 'batch-infer': 0.5, serve: 0.5 };

/** The lowest cap (W) a device of this type takes. */
export function minCapW(spec: AcceleratorSpec): number {
  return Math.ceil(spec.tdpW * MIN_CAP_FRACTION);
}

/** What one device draws (W) and the share of its uncapped throughput it keeps, under a cap (W). */
export function cappedDevice(
  spec: AcceleratorSpec,
  kind: JobKind,
  capW: number | undefined,
): { readonly deviceW: number; readonly throughput: number } {
  const activeW = spec.tdpW * ACTIVITY_FRACTION[kind];
  if (capW === undefined || capW >= activeW) return { deviceW: activeW, throughput: 1 };
  const idleW = spec.tdpW * IDLE_FRACTION;
  const cap = Math.max(capW, minCapW(spec));
  if (cap >= activeW) return { deviceW: activeW, throughput: 1 };
  const clock = Math.cbrt(Math.max(0, cap - idleW) / (activeW - idleW));
  const bound = CLOCK_BOUND[kind];
  // Time per unit of work: the clock-bound part stretches by 1/clock, the rest stays.
  const time = bound / Math.max(clock, 1e-3) + (1 - bound);
  return { deviceW: cap, throughput: 1 / time };
}

/** IT power (kW) of `count` devices running a job of `kind` under a cap (host share included). */
export function cappedItPowerKw(spec: AcceleratorSpec, kind: JobKind, count: number, capW?: number): number {
  return (count * cappedDevice(spec, kind, capW).deviceW * (1 + HOST_OVERHEAD_FRACTION)) / 1000;
}

/** The share of its speed a run keeps under a grid event's cap, against its own (a job's own cap, or none). */
export function gridCapThroughput(spec: AcceleratorSpec, kind: JobKind, capW: number, ownCapW?: number): number {
  return cappedDevice(spec, kind, capW).throughput / cappedDevice(spec, kind, ownCapW).throughput;
}
