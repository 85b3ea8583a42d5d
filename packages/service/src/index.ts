// The public API of @suanli/service: use cases, ports, the error catalog, input readers.

export { builtinAccelerators } from './accelerator-catalog.ts';
export { Access, type NewToken, OWNERSHIP_RULE, type TokenView, tokenId } from './access.ts';
export {
  type AuditEntry,
  type AuditEvent,
  type AuditVerification,
  auditHash,
  canonicalJson,
  chainEntry,
  GENESIS_HASH,
  verifyAuditChain,
} from './audit.ts';
export {
  AuditLog,
  auditLeafHash,
  type ConsistencyProof,
  checkConsistency,
  checkInclusion,
  type InclusionProof,
  LOG_KEY_KIND,
  type RecordedLogKey,
  recordedLogKey,
} from './audit-log.ts';
export { ACTIONS, type Action, allowed, authorize, hashToken, type Principal, SYSTEM } from './auth.ts';
export { billsCsv, billsHtml, statementsHtml, yuan } from './bill-export.ts';
export {
  CLI_EXIT,
  ERROR_CODES,
  type ErrorBody,
  type ErrorCode,
  type ErrorLocation,
  formatErrorLine,
  HTTP_STATUS,
  isSuanliError,
  SuanliError,
  toSuanliError,
} from './errors.ts';
export { newJobId } from './ids.ts';
export {
  type FieldBound,
  fieldBounds,
  INPUT_SCHEMAS,
  jsonSchemaOf,
  renderLimitsDoc,
} from './input-bounds.ts';
export {
  ACTIVE_STATES,
  FINAL_STATES,
  JOB_STATES,
  type JobRecord,
  type JobState,
  toEngineJob,
} from './job-record.ts';
export { type JobSpec, type JobSpecInput, jobSpecInputSchema, type MarketOrder, readJobSpec } from './job-spec.ts';
export { type KueueOptions, kueueJobManifest } from './kueue.ts';
export { int, LIMITS, list, mapOf, num, positive, text, worstCaseCostFen } from './limits.ts';
export { EMPTY_ROOT, leafHash, MerkleTree, nodeHash, verifyConsistency, verifyInclusion } from './merkle.ts';
export {
  BUILTIN_NETWORKS,
  builtinNetwork,
  DEFAULT_LINK_MODEL,
  DEFAULT_PRIORITY_CLASSES,
  loadNetworkFile,
  parseNetwork,
} from './network-file.ts';
export { BUILTIN_POLICIES_FILES, builtinPolicy, loadPolicyFile, parsePolicy } from './policy-file.ts';
export type {
  Backend,
  BackendJob,
  BackendState,
  BackendStatus,
  PowerCap,
} from './ports/backend.ts';
export type { Clock } from './ports/clock.ts';
export {
  GRANT_KINDS,
  type GrantKind,
  type GrantRecord,
  type HistorySample,
  type JobFilter,
  type JobPatch,
  ROLES,
  type Role,
  type Store,
  type StoredModelAudit,
  type TokenRecord,
} from './ports/store.ts';
export { instant, instantS, powerBudgetSchema } from './power-budget-schema.ts';
export { BUILTIN_PROFILES, builtinProfile, loadProfileFile, parseProfile } from './profile-file.ts';
export { BUILTIN_POLICIES, loadScenarioFile, parseScenario } from './scenario-file.ts';
export {
  ALERT_KINDS,
  type Alert,
  type BillQuery,
  type ContractView,
  type CycleReport,
  DEFAULT_HEALTH_TIMEOUT_S,
  type GaugeView,
  type GridEventInput,
  type GridEventView,
  type HistoryAnswer,
  type HistoryPoint,
  type NetworkHealthView,
  type OfferInput,
  type OfferView,
  type OptimizeResult,
  type PoolStatus,
  type PowerLevelView,
  type PowerView,
  type PowerWindowInput,
  type PriceInput,
  type ProgrammeView,
  parseFairnessCsv,
  type QuotaStatus,
  type Quote,
  type RedeemInput,
  type Resolved,
  type SectorReport,
  type ServiceDeps,
  type ServiceView,
  type SettlementCheck,
  type SiteHealthView,
  type SiteStatus,
  type SpecInput,
  SuanliService,
  type VoucherView,
  type WhyPending,
} from './service.ts';
export {
  describeIssue,
  fieldName,
  type ParsedText,
  parsedValue,
  parseText,
  readBounded,
  readInputFile,
} from './text-input.ts';
export { loadTraceFile, parseTraceText } from './trace-file.ts';
export {
  generateLogKey,
  type LogKey,
  logKeyFromPem,
  type SignedTreeHead,
  signTreeHead,
  type TreeHead,
  verifyTreeHead,
} from './tree-head.ts';
