import type { PowerBudget } from './power.ts';

/** Legal territory a site sits in; data-transfer rules key on it. */
export type Jurisdiction = 'cn-mainland' | 'cn-hk' | 'cn-macao' | 'foreign';

/** Accelerators of one type at one site, run by one backend. */
export interface Pool {
  readonly id: string;
  readonly siteId: string;
  readonly accelerator: string;
  readonly count: number;
  /**
   * Accelerators per node, when they come in nodes (8 per server, typically): a gang member then
   * sits on one node, or on whole nodes when it is larger than one. Absent: one undivided pool.
   */
  readonly nodeSize?: number;
  /** Price of one accelerator-hour, power excluded (energy is priced at the site tariff). */
  readonly priceCnyPerAcceleratorHour: number;
  /** Name of the backend that runs jobs on this pool (`sim`, `slurm`, …). */
  readonly backend: string;
  /** The hall's power budget, when the pool's hall has its own. */
  readonly powerBudget?: PowerBudget;
}

/** A data center: where it is, what its power costs and emits, and its accelerator pools. */
export interface Site {
  readonly id: string;
  readonly name: string;
  readonly nameZh?: string;
  /** National hub the site belongs to, if any (`nmg`, `yrd`, …). */
  readonly hub?: string;
  readonly province: string;
  readonly kind: 'cluster' | 'demand-centre' | 'partner';
  readonly side?: 'east' | 'west';
  readonly jurisdiction: Jurisdiction;
  /** Approved by the authorities to process core data (rule R01 of the China policy). */
  readonly coreDataApproved?: boolean;
  readonly lat: number;
  readonly lon: number;
  /** Offset of local time from UTC, for the hourly tariff and carbon profiles. */
  readonly utcOffsetH: number;
  /** Power usage effectiveness: facility energy ÷ IT energy. */
  readonly pue: number;
  readonly powerCapMw: number;
  /** The site's budget over time; absent: `powerCapMw` at every hour. */
  readonly powerBudget?: PowerBudget;
  /** Electricity price for each local hour 0..23. */
  readonly tariffCnyPerKwh: readonly number[];
  /** Location-based average CO2 factor of the grid the site draws from (official, annual). */
  readonly gridCarbonKgPerKwh: number;
  /**
   * Grid CO2 intensity for each local hour 0..23, whose mean is `gridCarbonKgPerKwh`; flat at the
   * annual factor when absent.
   */
  readonly carbonKgPerKwhByHour?: readonly number[];
  /** Share of the site's electricity covered by contracted green power (0..1). */
  readonly greenShare: number;
  /** The site operator (`Network.operators`) that runs it and is paid for its accelerator-hours. */
  readonly operator?: string;
  readonly pools: readonly Pool[];
}
