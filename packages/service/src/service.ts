import {
  type Dataset,
  type DecideResult,
  defaultProfile,
  type LinkCut,
  type Model,
  type Network,
  type Policy,
  type Profile,
  prepareNetwork,
  type Solver,
  type testPolicy,
  withPolicy,
} from '@suanli/engine';
import { Access, type NewToken } from './access.ts';
import type { AuditEntry, AuditVerification } from './audit.ts';
import { AuditLog } from './audit-log.ts';
import { type Principal, SYSTEM } from './auth.ts';
import { SuanliError } from './errors.ts';
import { newJobId } from './ids.ts';
import type { JobRecord, JobState } from './job-record.ts';
import type { KueueOptions } from './kueue.ts';
import { LiveLedger } from './live-ledger.ts';
import type { Backend } from './ports/backend.ts';
import type { Clock } from './ports/clock.ts';
import type { JobFilter, Role, Store, StoredModelAudit } from './ports/store.ts';
import { generateLogKey, type LogKey } from './tree-head.ts';
import { type Alert, AuditTrail } from './use-cases/audit-trail.ts';
import type { UseCaseContext } from './use-cases/context.ts';
import { Dispatch } from './use-cases/dispatch.ts';
import { Catalog, Governance } from './use-cases/governance.ts';
import { Grid } from './use-cases/grid.ts';
import { History } from './use-cases/history.ts';
import { Jobs, type Quote, type WhyPending } from './use-cases/jobs.ts';
import { Market } from './use-cases/market.ts';
import { type CycleReport, type OptimizeResult, Scheduling } from './use-cases/scheduling.ts';
import { type ServiceView, Serving } from './use-cases/serving.ts';
import { Settlement } from './use-cases/settlement.ts';
import { type NetworkHealthView, SiteHealth, type SiteHealthView } from './use-cases/site-health.ts';
import type { SpecInput } from './use-cases/spec-input.ts';
import { type LinkView, type QuotaStatus, type SiteStatus, type TenantView, Views } from './use-cases/views.ts';
import { Vouchers } from './use-cases/vouchers.ts';

export { ALERT_KINDS, type Alert } from './use-cases/audit-trail.ts';
export { parseFairnessCsv } from './use-cases/governance.ts';
export type {
  GridEventInput,
  GridEventView,
  PowerLevelView,
  PowerView,
  PowerWindowInput,
} from './use-cases/grid.ts';
export type { GaugeView, HistoryAnswer, HistoryPoint } from './use-cases/history.ts';
export type { Quote, WhyPending } from './use-cases/jobs.ts';
export type { ContractView, OfferInput, OfferView, Resolved } from './use-cases/market.ts';
export type { CycleReport, OptimizeResult } from './use-cases/scheduling.ts';
export type { ServiceView } from './use-cases/serving.ts';
export type {
  BillQuery,
  PriceInput,
  SectorReport,
  SettlementCheck,
} from './use-cases/settlement.ts';
export { DEFAULT_HEALTH_TIMEOUT_S, type NetworkHealthView, type SiteHealthView } from './use-cases/site-health.ts';
export type { SpecInput } from './use-cases/spec-input.ts';
export type { LinkView, PoolStatus, QuotaStatus, SiteStatus, TenantView } from './use-cases/views.ts';
export type { ProgrammeView, RedeemInput, VoucherView } from './use-cases/vouchers.ts';

export interface ServiceDeps {
  readonly store: Store;
  readonly network: Network;
  readonly clock: Clock;
  /** Backends by name; every pool's `backend` must be one of them. */
  readonly backends: ReadonlyMap<string, Backend>;
  readonly profile?: Profile;
  /** Solves the batch optimizer's models (HiGHS); without one the optimizer is unavailable. */
  readonly solver?: Solver;
  readonly newId?: () => string;
  /** Called with problems the service survives (a backend that fails); defaults to nothing. */
  readonly onWarning?: (message: string, detail?: unknown) => void;
  /** The audit log's signing key; a fresh one (for this process only) when absent. */
  readonly logKey?: LogKey;
  /** Governance rules checked at admission and placement; none when absent. */
  readonly policy?: Policy;
  /**
   * Cycles fall due on multiples of this many seconds (as in the simulator); 0 (default): as soon as
   * something happens, so the scheduler loop's next tick runs them.
   */
  readonly cycleS?: number;
  /** How long a job told to wait stays out of the cycles at most (default 300 s). */
  readonly maxParkS?: number;
  /** Told every cycle's decisions (a decision log; the differential test compares them with the simulator's). */
  readonly onCycle?: (nowS: number, result: DecideResult) => void;
  /** Seconds between history samples (default 60; a whole divisor of 900). */
  readonly historyStepS?: number;
  /** A backend silent this long takes its sites out of service (default 120 s). */
  readonly healthTimeoutS?: number;
}

/**
 * The use cases of Suanli, composed: jobs, scheduling, dispatch, governance, access, views and the
 * audit trail, each in its own module, sharing the store, the clock, the backends and the ledger
 * fed from the store. Interfaces (HTTP, CLI, dashboard) call these and nothing else.
 */
export class SuanliService {
  readonly access: Access;
  readonly auditLog: AuditLog;
  readonly policy: Policy | undefined;
  readonly jobs: Jobs;
  readonly scheduling: Scheduling;
  readonly dispatcher: Dispatch;
  readonly governance: Governance;
  readonly views: Views;
  readonly audit: AuditTrail;
  readonly history: History;
  readonly health: SiteHealth;
  readonly serving: Serving;
  readonly settlement: Settlement;
  readonly market: Market;
  readonly vouchers: Vouchers;
  /** Power budgets and grid events. */
  readonly grid: Grid;
  /** The engine's ledger, fed from the store. */
  readonly live: LiveLedger;
  private readonly catalog: Catalog;

  constructor(deps: ServiceDeps) {
    const profile = deps.policy
      ? withPolicy(deps.profile ?? defaultProfile(), deps.policy)
      : (deps.profile ?? defaultProfile());
    for (const site of deps.network.sites) {
      for (const pool of site.pools) {
        if (!deps.backends.has(pool.backend)) {
          throw new SuanliError(
            'INVALID_NETWORK',
            `pool ${pool.id} is run by backend ${pool.backend}, which is not configured (configured: ${[...deps.backends.keys()].join(', ')})`,
          );
        }
      }
    }
    prepareNetwork(deps.network);
    this.policy = deps.policy;
    this.auditLog = new AuditLog(deps.store, deps.logKey ?? generateLogKey().key, deps.clock);
    this.catalog = new Catalog(deps.network, deps.store, (network) =>
      this.live.ledgerIfBuilt()?.replaceNetwork(network),
    );
    this.access = new Access(deps.store, deps.clock, () => this.catalog.network);
    const timeScaleOf = (r: JobRecord) => this.scheduling.timeScaleOf(r);
    this.live = new LiveLedger({
      store: deps.store,
      network: () => this.catalog.network,
      profile,
      clock: deps.clock,
      timeScaleOf,
      options: { cycleS: deps.cycleS ?? 0, ...(deps.maxParkS !== undefined ? { maxParkS: deps.maxParkS } : {}) },
    });
    const ctx: UseCaseContext = {
      store: deps.store,
      clock: deps.clock,
      backends: deps.backends,
      profile,
      solver: deps.solver,
      policy: deps.policy,
      newId: deps.newId ?? newJobId,
      warn: deps.onWarning ?? (() => {}),
      access: this.access,
      auditLog: this.auditLog,
      live: this.live,
      network: () => this.catalog.network,
    };
    this.governance = new Governance(ctx, this.catalog);
    this.settlement = new Settlement(ctx);
    this.market = new Market(ctx, this.settlement);
    this.vouchers = new Vouchers(ctx, this.settlement);
    this.jobs = new Jobs(ctx, this.governance, this.market);
    this.health = new SiteHealth(ctx, deps.healthTimeoutS);
    this.dispatcher = new Dispatch(ctx, this.health);
    this.serving = new Serving(ctx);
    this.grid = new Grid(ctx, this.dispatcher);
    this.scheduling = new Scheduling(ctx, this.dispatcher, this.serving, this.grid, deps.onCycle);
    this.views = new Views(ctx);
    this.audit = new AuditTrail(ctx);
    this.history = new History(ctx, deps.historyStepS);
  }

  /** The network, with the model registry's audits merged in from the store. */
  get network(): Network {
    return this.catalog.network;
  }

  // Jobs
  submit(input: SpecInput, actor: Principal): Promise<JobRecord> {
    return this.jobs.submit(input, actor);
  }
  quote(input: SpecInput, actor: Principal): Promise<Quote> {
    return this.jobs.quote(input, actor);
  }
  getJob(id: string, actor: Principal): Promise<JobRecord> {
    return this.jobs.getJob(id, actor);
  }
  listJobs(filter: JobFilter, actor: Principal): Promise<JobRecord[]> {
    return this.jobs.listJobs(filter, actor);
  }
  cancel(id: string, actor: Principal): Promise<JobRecord> {
    return this.jobs.cancel(id, actor);
  }
  why(id: string, actor: Principal): Promise<WhyPending> {
    return this.jobs.why(id, actor);
  }
  kueueManifest(id: string, options: KueueOptions, actor: Principal): Promise<Record<string, unknown>> {
    return this.jobs.kueueManifest(id, options, actor);
  }

  // Scheduling and backends
  leads(): Promise<boolean> {
    return this.scheduling.leads();
  }
  schedule(): Promise<CycleReport> {
    return this.scheduling.schedule();
  }
  optimize(apply: boolean, actor: Principal): Promise<OptimizeResult> {
    return this.scheduling.optimize(apply, actor);
  }
  dispatch(): Promise<number> {
    return this.live.exclusive(() => this.dispatcher.dispatch());
  }
  async syncBackends(): Promise<number> {
    const live = this.live;
    return live.exclusive(async () => {
      await live.catchUp();
      return this.dispatcher.syncBackends();
    });
  }

  // Online services
  services(actor: Principal): Promise<ServiceView[]> {
    return this.serving.list(actor);
  }
  service(id: string, actor: Principal): Promise<ServiceView> {
    return this.serving.get(id, actor);
  }
  route(serviceId: string, regionId: string, actor: Principal) {
    return this.serving.route(serviceId, regionId, actor);
  }
  observeLoad(serviceId: string, load: Readonly<Record<string, number>>, actor: Principal): Promise<ServiceView> {
    return this.serving.observe(serviceId, load, actor);
  }

  // Site and link health
  async networkHealth(actor: Principal): Promise<NetworkHealthView> {
    await this.live.ready();
    return this.health.view(actor);
  }
  /** Takes a site out of service (`out`) or brings it back; its runs fail over by their policies. */
  setSiteHealth(siteId: string, out: boolean, reason: string, actor: Principal): Promise<SiteHealthView> {
    return this.live.exclusive(async () => {
      await this.live.catchUp();
      return out ? this.health.declareOut(siteId, reason, actor) : this.health.declareIn(siteId, actor);
    });
  }
  /** Records a link cut, or repaired. */
  setLinkHealth(from: string, to: string, cut: boolean, reason: string, actor: Principal): Promise<readonly LinkCut[]> {
    return this.live.exclusive(async () => {
      await this.live.catchUp();
      return this.health.setLink(from, to, cut, reason, actor);
    });
  }

  // Governance
  testPolicy(input: SpecInput, actor: Principal): Promise<ReturnType<typeof testPolicy>> {
    return this.governance.testPolicy(input, actor);
  }
  models(actor: Principal): Promise<readonly Model[]> {
    return this.governance.models(actor);
  }
  auditModel(
    modelId: string,
    sector: string,
    csv: string,
    source: string,
    actor: Principal,
  ): Promise<StoredModelAudit> {
    return this.governance.auditModel(modelId, sector, csv, source, actor);
  }
  datasets(actor: Principal): readonly Dataset[] {
    return this.governance.datasets(actor);
  }
  policyInForce(actor: Principal): Policy {
    return this.governance.policyInForce(actor);
  }

  // Views
  sites(actor: Principal): Promise<SiteStatus[]> {
    return this.views.sites(actor);
  }
  site(id: string, actor: Principal): Promise<SiteStatus> {
    return this.views.site(id, actor);
  }
  links(actor: Principal): LinkView[] {
    return this.views.links(actor);
  }
  tenants(actor: Principal): TenantView[] {
    return this.views.tenants(actor);
  }
  quotas(actor: Principal): Promise<QuotaStatus[]> {
    return this.views.quotas(actor);
  }
  countJobsByState(): Promise<Readonly<Record<JobState, number>>> {
    return this.views.countJobsByState();
  }

  // Audit and access
  listAudit(fromSeq: number, limit: number, actor: Principal): Promise<AuditEntry[]> {
    return this.audit.list(fromSeq, limit, actor);
  }
  auditTree(actor: Principal): AuditLog {
    return this.audit.tree(actor);
  }
  alerts(limit: number, actor: Principal): Promise<Alert[]> {
    return this.audit.alerts(limit, actor);
  }
  verifyAudit(actor: Principal): Promise<AuditVerification> {
    return this.audit.verify(actor);
  }
  authenticate(token: string | undefined): Promise<Principal> {
    return this.access.authenticate(token);
  }
  createToken(
    req: { name: string; role: Role; tenant?: string; operator?: string; expiresInS?: number },
    actor: Principal,
  ): Promise<NewToken> {
    return this.access.createToken(req, actor);
  }
  /** On a first start: an operator token when there is none yet (returned once), else undefined. */
  bootstrapOperator(): Promise<string | undefined> {
    return this.access.bootstrapOperator(SYSTEM);
  }
}
