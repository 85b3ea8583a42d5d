// The public API of @suanli/sim. This is the package's only barrel.

export { Estimator, FIRST_ESTIMATE_S } from './estimator.ts';
export { EventQueue } from './event-queue.ts';
export { type FailureModel, Failures, RECOVERY_MODES, type RecoveryMode, type RecoverySummary } from './failures.ts';
export {
  type Distribution,
  jainIndex,
  type SectorShare,
  type SimSummary,
  type SiteUsage,
  type TenantUsage,
} from './metrics.ts';
export { hasSectors, METRICS, metricsFor, nothingQueuedNote, renderHtml, runLabel } from './report/html.ts';
export type {
  DailyGridEvents,
  DemandResponseSummary,
  GridEventInput,
  GridEventRate,
  PowerInput,
} from './run-power.ts';
export {
  SERVING_MODES,
  type ServiceFigures,
  type ServingInput,
  type ServingMode,
  type ServingSummary,
} from './run-services.ts';
export { type RunOutcome, type SettlementSummary, SimBooks } from './run-settlement.ts';
export {
  type RunOptions,
  type RunPlan,
  type RunResult,
  runScenario,
  type ScenarioPlan,
  type ScenarioReport,
} from './scenario.ts';
export { ESTIMATE_MODES, type EstimateMode, type SimJob } from './sim-job.ts';
export { type SimInput, type SimProgress, simulate } from './simulate.ts';
export { applyChanges, type NetworkChange, type SiteSelector, scaleNetwork, WhatIfError } from './what-if.ts';
export { hash32, unit } from './workload/hash.ts';
export {
  acceleratorChoices,
  defaultOrigins,
  kindOf,
  type MappedWorkload,
  type MappingOptions,
  mapTrace,
  PREFERRED_TYPES,
  tenantFor,
} from './workload/mapping.ts';
export { DEFAULT_MIX, ITP_SIZES, type SyntheticSpec, syntheticJobs } from './workload/synthetic.ts';
export { parseTrace, TRACE_HEADER, TraceError, type TraceRow } from './workload/trace.ts';
