/**
 * One accelerator model, as a catalog entry. Figures are per device.
 * `type` is the short name users write in job specs (`H100`, `Ascend910B`).
 */
export interface AcceleratorSpec {
  readonly type: string;
  readonly vendor: string;
  readonly name: string;
  readonly tdpW: number;
  /** Dense BF16 (or FP16 where BF16 is not published) tensor throughput. */
  readonly bf16DenseTflops: number;
  readonly memoryGb: number;
  /** Software stack the device needs: `cuda`, `cann`. */
  readonly stack: string;
}
