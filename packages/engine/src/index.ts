// The public API of @suanli/engine. This is the package's only barrel.

export { type DecideOptions, type DecideResult, decide, quote } from './decide.ts';
export type { AcceleratorSpec } from './domain/accelerator.ts';
export { DATA_LEVELS, type DataLevel, type Dataset, PERSONAL_INFO, type PersonalInfo } from './domain/dataset.ts';
export { type LinkCut, linkKey, type NetworkHealth, type OutageClass, type SiteOutage } from './domain/health.ts';
export {
  type AcceleratorOption,
  acceleratorsNeeded,
  EXPOSURES,
  type Exposure,
  JOB_KINDS,
  type Job,
  type JobKind,
  type MarketTerms,
  type ObjectiveWeights,
} from './domain/job.ts';
export { boostedWeight, type Programme, type SiteOperator } from './domain/market.ts';
export { type FairnessAudit, MODEL_KINDS, type Model, type ModelKind } from './domain/model.ts';
export {
  APPROVAL_TYPES,
  type Approval,
  type ApprovalType,
  type Link,
  type LinkModel,
  type Network,
} from './domain/network.ts';
export type {
  CarbonSignal,
  Decision,
  Estimate,
  Explanation,
  ObjectiveScores,
  Placement,
  Preemption,
  SiteVerdict,
  StagedTransfer,
} from './domain/placement.ts';
export {
  budgetKwAt,
  budgetMaxKw,
  type GridEvent,
  isFlat,
  overlappingWindows,
  POWER_LEVEL_KINDS,
  type PowerBudget,
  type PowerLevelKind,
  type PowerRegion,
  type PowerScheduleEntry,
  type PowerWindow,
  profileKwAt,
} from './domain/power.ts';
export type { ClusterQueue, FlavourQuota, PreemptionPolicy } from './domain/queue.ts';
export {
  type CheckpointPolicy,
  FAILOVER,
  FAILURE_CLASSES,
  type Failover,
  type Failure,
  type FailureClass,
  INFRASTRUCTURE_FAILURES,
  type RecoveryPolicy,
} from './domain/recovery.ts';
export type { Jurisdiction, Pool, Site } from './domain/site.ts';
export type { Allocation, ExportRecord, HeldView, NodeShare, PowerState, Snapshot } from './domain/snapshot.ts';
export { SECTORS, type Sector, type Tenant } from './domain/tenant.ts';
export { Cycle } from './framework/cycle.ts';
export { formatDuration, formatLocalTime, formatNumber } from './framework/format.ts';
export { NodeOccupancy, PoolNodes } from './framework/nodes.ts';
export type { JobEvaluation, Option, ScoredOption } from './framework/option.ts';
export { Plan } from './framework/plan.ts';
export type {
  FilterPlugin,
  Nomination,
  PermitPlugin,
  Plugin,
  PostFilterPlugin,
  PreFilterPlugin,
  QueueSortPlugin,
  ReservePlugin,
  ScorePlugin,
  SiteFilterPlugin,
} from './framework/plugin.ts';
export {
  additionsOf,
  BUDGET_HORIZON_S,
  type LevelAdditions,
  levelBudgetKwAt,
  levelName,
  type PowerLevel,
} from './framework/power-levels.ts';
export { type PreparedNetwork, prepareNetwork } from './framework/prepared-network.ts';
export type { OptimizerSettings, Profile } from './framework/profile.ts';
export {
  buildProfile,
  DEFAULT_OPTIMIZER,
  DEFAULT_PROFILE_SPEC,
  defaultProfile,
  type PluginRef,
  ProfileError,
  type ProfileSpec,
  REGISTRY,
} from './framework/registry.ts';
export { allocationKw, expectedEndS } from './framework/running-draw.ts';
export {
  DEFAULT_MAX_PARK_S,
  SchedulingQueue,
  type SchedulingQueueOptions,
} from './framework/scheduling-queue.ts';
export { outageFailure, SITE_HEALTH } from './framework/site-walk.ts';
export type { FilterStatus, PermitStatus, Rejection, StatusCode } from './framework/status.ts';
export {
  type Admission,
  admit,
  evaluateRules,
  GOVERNANCE,
  governanceFilter,
  testPolicy,
  withPolicy,
} from './governance/enforce.ts';
export { exportsOf } from './governance/exports.ts';
export { type ExportTally, FACT_NAMES, factsFor, tallyExports, yearOf } from './governance/facts.ts';
export {
  DEFAULT_FAIRNESS_THRESHOLDS,
  type FairnessReport,
  type FairnessRow,
  type FairnessThresholds,
  fairnessReport,
  type GroupRates,
} from './governance/fairness.ts';
export {
  applyRule,
  type Condition,
  type Effect,
  FactError,
  type Facts,
  holds,
  type Matcher,
  type Policy,
  type Rule,
  type RuleOutcome,
  type Stage,
} from './governance/policy.ts';
export { type AllocatedJob, allocationOf, lostIfStoppedS } from './ledger/allocation.ts';
export { gauge, type NetworkGauge, type SiteGauge } from './ledger/gauge.ts';
export { Ledger, type LedgerOptions, runCycle, runCycleAsync } from './ledger/ledger.ts';
export {
  ACTIVITY_FRACTION,
  facilityEnergyKwh,
  HOST_OVERHEAD_FRACTION,
  IDLE_FRACTION,
  idlePowerKw,
  itPowerKw,
} from './models/energy.ts';
export { durationOnS, throughputRatio } from './models/equivalence.ts';
export { FIBRE_MS_PER_KM, greatCircleKm, modelLatencyMs } from './models/geo.ts';
export { type HourlyProfile, hourlyProfile, meanOver, valueAt } from './models/hourly-profile.ts';
export { cappedDevice, cappedItPowerKw, gridCapThroughput, MIN_CAP_FRACTION, minCapW } from './models/power-curve.ts';
export type { OptimizerReport } from './optimizer/batch.ts';
export type { LpModel, LpResult, LpSolveOptions, Solver } from './optimizer/solver.ts';
export { dominantShare } from './plugins/fair-share/fair-share.ts';
export { type Headroom, headroom, queueOf } from './plugins/quota/quota-math.ts';
export { type GridDelivery, GridMeter } from './power/grid-meter.ts';
export {
  DEFAULT_SHED_ORDER,
  type GridAction,
  type GridActionKind,
  type GridPlan,
  type GridRequest,
  PLAN_SLOT_S,
  planGridEvent,
  SHED_GROUPS,
  type ShedGroup,
} from './power/grid-plan.ts';
export { capAllocation, cappedEndS, GridResponse } from './power/grid-response.ts';
export { checkpointDataName, failoverNote } from './recovery/failover.ts';
export {
  afterFailure,
  checkpointSiteOf,
  DEFAULT_RECOVERY,
  keptWorkS,
  type RecoveryDecision,
  recoveryOf,
  withCheckpointData,
} from './recovery/recovery.ts';
export { type Rng, seededRng } from './rng.ts';
export { type RegionStep, regionStep } from './serving/attainment.ts';
export {
  autoscale,
  DEFAULT_SCALE,
  plannedDemand,
  type ReplicaView,
  regionMinimums,
  replicaCapacity,
  type ScaleDecision,
  type ScaleDown,
  type ScalerMemory,
  type ScaleSettings,
  type ScaleUp,
} from './serving/autoscale.ts';
export {
  BURST_PRIORITY,
  GUARANTEED_NEAREST,
  GUARANTEED_PRIORITY,
  nextScaleS,
  REPLICA_HORIZON_S,
  replicaId,
  replicaJob,
} from './serving/replica.ts';
export { type RoutableReplica, type Route, Router } from './serving/route.ts';
export {
  type DemandRegion,
  demandAt,
  hourOfDay,
  peakDemand,
  type ServiceSection,
  type ServiceSpec,
} from './serving/service.ts';
export { lowestSloMs, PLANNED_UTILIZATION, type SloSite, sloSites, ttftMs } from './serving/slo.ts';
export {
  ATTEMPT_OUTCOMES,
  type Attempt,
  AttemptFold,
  type AttemptOutcome,
  type LogEvent,
} from './settlement/attempts.ts';
export {
  type Bill,
  type BillLine,
  billsOf,
  type PoolRevenue,
  type Reconciliation,
  reconcile,
  type SettlementFilter,
  type Statement,
  statementsOf,
} from './settlement/bills.ts';
export { Books, MARKET_KINDS, type PriceSetData, type RedeemedLine } from './settlement/books.ts';
export {
  type Contract,
  checkOffer,
  contractTerms,
  OFFER_KINDS,
  type Offer,
  type OfferKind,
  offerOpen,
  type Sla,
  soldOf,
  spotTerms,
} from './settlement/market.ts';
export { type MeterRecord, meter, type TransferCharge } from './settlement/meter.ts';
export { BILLING_UTC_OFFSET_H, periodOf, periodSpan } from './settlement/period.ts';
export {
  basePriceBook,
  type ComputeCharge,
  checkPriceChange,
  computeCharges,
  inForce,
  type LinkPrice,
  type PoolPrice,
  type PriceBook,
  type PriceChange,
  toFen,
  withPrice,
} from './settlement/prices.ts';
export {
  balanceFen,
  checkIssue,
  checkRedemption,
  ISSUE_RULES,
  REDEEM_RULES,
  type RedemptionLine,
  type Voucher,
  type VoucherDenial,
} from './settlement/vouchers.ts';
