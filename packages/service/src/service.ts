import { createHash } from 'node:crypto';
import {
  type Allocation,
  admit,
  Cycle,
  type Decision,
  decide,
  defaultProfile,
  type Explanation,
  type ExportRecord,
  type FairnessRow,
  fairnessReport,
  greatCircleKm,
  headroom,
  type Job,
  type Model,
  modelLatencyMs,
  type Network,
  type OptimizerReport,
  type Placement,
  type Policy,
  type Preemption,
  type Profile,
  prepareNetwork,
  queueOf,
  quote,
  SchedulingQueue,
  SECTORS,
  type Sector,
  type Site,
  type SiteVerdict,
  type Snapshot,
  type Solver,
  testPolicy,
  withPolicy,
  yearOf,
} from '@suanli/engine';
import { Access, type NewToken } from './access.ts';
import { type AuditEntry, type AuditVerification, canonicalJson, verifyAuditChain } from './audit.ts';
import { AuditLog } from './audit-log.ts';
import { allowed, authorize, type Principal, SYSTEM } from './auth.ts';
import { SuanliError } from './errors.ts';
import { newJobId } from './ids.ts';
import { ACTIVE_STATES, FINAL_STATES, type JobRecord, type JobState, toEngineJob } from './job-record.ts';
import { type JobSpec, readJobSpec } from './job-spec.ts';
import { type KueueOptions, kueueJobManifest } from './kueue.ts';
import type { Backend, BackendStatus } from './ports/backend.ts';
import type { Clock } from './ports/clock.ts';
import type { JobFilter, Role, Store, StoredModelAudit } from './ports/store.ts';
import { type ParsedText, parsedValue, parseText } from './text-input.ts';
import { generateLogKey, type LogKey } from './tree-head.ts';

/** A job spec as it arrives: text (YAML or JSON) or an already parsed value. */
export type SpecInput =
  | { readonly text: string; readonly source?: string; readonly format?: 'yaml' | 'json' }
  | { readonly value: unknown; readonly source?: string };

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
}

export interface Quote {
  readonly atS: number;
  readonly summary: string;
  /** Feasible sites, best first. */
  readonly options: readonly Extract<SiteVerdict, { outcome: 'scored' }>[];
  /** Sites that cannot run the job, with the plug-in and reason. */
  readonly rejected: readonly Extract<SiteVerdict, { outcome: 'filtered' }>[];
}

export interface PoolStatus {
  readonly id: string;
  readonly accelerator: string;
  readonly count: number;
  readonly used: number;
  readonly priceCnyPerAcceleratorHour: number;
  readonly backend: string;
}

/** A site as the API shows it: its description and the current use of its pools. */
export type SiteStatus = Omit<Site, 'pools'> & {
  readonly accelerators: number;
  readonly used: number;
  readonly utilization: number;
  readonly pools: readonly PoolStatus[];
};

export interface CycleReport {
  readonly atS: number;
  readonly placed: number;
  readonly reserved: number;
  readonly waiting: number;
  readonly preempted: number;
  readonly dispatched: number;
  /** Estimated energy, carbon and cost of the jobs placed in this cycle. */
  readonly energyKwh: number;
  readonly carbonKg: number;
  readonly costCny: number;
}

/** What an on-demand run of the batch optimizer found, and did if applied. */
export interface OptimizeResult {
  readonly atS: number;
  readonly applied: boolean;
  readonly report?: OptimizerReport;
  readonly decisions: { readonly placed: number; readonly reserved: number; readonly waiting: number };
  /** What the cycle recorded, when applied. */
  readonly cycle?: CycleReport;
  /** Jobs the run places now or holds a later start for. */
  readonly plan: readonly {
    readonly jobId: string;
    readonly kind: 'place' | 'reserve';
    readonly siteId: string;
    readonly poolId: string;
    readonly startS: number;
  }[];
}

/** "Why is my job pending?": what the engine decides for it now, and the quota that holds it. */
export interface LinkView {
  readonly a: string;
  readonly b: string;
  readonly latencyMs: number;
  readonly bandwidthGbps: number;
  /** From the route model rather than an explicit link of the network file. */
  readonly modelled: boolean;
}

export interface QuotaStatus {
  readonly name: string;
  readonly cohort?: string;
  readonly tenants: readonly string[];
  readonly flavours: readonly {
    readonly flavour: string;
    readonly nominal: number;
    readonly used: number;
    readonly available: number;
    /** Used beyond the nominal quota: borrowed from the cohort. */
    readonly borrowed: number;
    readonly borrowingLimit?: number;
  }[];
}

export interface WhyPending {
  readonly jobId: string;
  readonly state: JobState;
  /** What a cycle run now decides: place, reserve (a planned start), or wait. */
  readonly decision: Decision['kind'] | 'not-pending';
  readonly summary: string;
  readonly reason: string;
  readonly expectedStartS?: number;
  /** How many pending jobs the queue order puts before it. */
  readonly ahead: number;
  readonly quota?: {
    readonly clusterQueue: string;
    readonly cohort?: string;
    readonly flavours: readonly {
      readonly flavour: string;
      readonly nominal: number;
      readonly used: number;
      readonly available: number;
      readonly needs: number;
    }[];
  };
  readonly notes: readonly string[];
  readonly verdicts: readonly SiteVerdict[];
}

/**
 * The use cases of Suanli. Interfaces (HTTP, CLI, dashboard) call these and nothing else; this
 * layer validates, records (with an audit entry per state change) and calls the engine.
 */
/** Hand-overs to backends in flight at once. */
const DISPATCH_CONCURRENCY = 8;

export class SuanliService {
  /** The network, with the model registry's audits merged in from the store. */
  get network(): Network {
    return this.net;
  }
  private net: Network;
  private catalogLoaded = false;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly backends: ReadonlyMap<string, Backend>;
  private readonly profile: Profile;
  /** Which pending jobs each cycle decides; kept in memory (a restart makes every job active again). */
  private readonly queue: SchedulingQueue;
  private readonly solver: Solver | undefined;
  private readonly newId: () => string;
  private readonly warn: (message: string, detail?: unknown) => void;
  /** The audit log as a Merkle tree with signed heads and proofs. */
  readonly auditLog: AuditLog;
  /** Tokens, grants and who may use which model and data set. */
  readonly access: Access;
  readonly policy: Policy | undefined;
  /** Transfers abroad recorded so far (from `data.exported` audit entries), for the rules' counters. */
  private exports: ExportRecord[] | undefined;

  constructor(deps: ServiceDeps) {
    this.store = deps.store;
    this.net = deps.network;
    this.clock = deps.clock;
    this.backends = deps.backends;
    this.policy = deps.policy;
    this.profile = deps.policy
      ? withPolicy(deps.profile ?? defaultProfile(), deps.policy)
      : (deps.profile ?? defaultProfile());
    this.queue = new SchedulingQueue(this.network, this.profile);
    this.solver = deps.solver;
    this.newId = deps.newId ?? newJobId;
    this.warn = deps.onWarning ?? (() => {});
    this.auditLog = new AuditLog(this.store, deps.logKey ?? generateLogKey().key, this.clock);
    this.access = new Access(this.store, this.clock, () => this.network);
    for (const site of this.network.sites) {
      for (const pool of site.pools) {
        if (!this.backends.has(pool.backend)) {
          throw new SuanliError(
            'INVALID_NETWORK',
            `pool ${pool.id} is run by backend ${pool.backend}, which is not configured (configured: ${[...this.backends.keys()].join(', ')})`,
          );
        }
      }
    }
    prepareNetwork(this.network);
  }

  /** Validates and stores a job; it is durable (with its audit entry) when this returns. */
  async submit(input: SpecInput, actor: Principal = SYSTEM): Promise<JobRecord> {
    authorize(actor, 'jobs.submit');
    const nowS = this.clock.nowS();
    const spec = this.readSpec(input, nowS);
    authorize(actor, 'jobs.submit', spec.tenant);
    await this.access.checkOwnership(spec);
    await this.admitOrThrow(spec, nowS);
    const job: JobRecord = {
      id: this.newId(),
      state: 'pending',
      spec,
      submittedAtS: nowS,
      updatedAtS: nowS,
    };
    await this.store.insertJob(job, {
      atS: nowS,
      kind: 'job.submitted',
      subject: job.id,
      data: {
        name: spec.name,
        kind: spec.kind,
        tenant: spec.tenant,
        accelerators: spec.options.map((o) => `${o.accelerator}:${o.perMember}`),
        gang: spec.gang,
        durationS: spec.durationS,
      },
    });
    return job;
  }

  /**
   * Admission: the policy's admission rules. A denied job is not stored; the denial is, in the
   * audit log (rule ids and a digest of the spec, no personal data), and the error names every rule.
   * Rules that cannot be evaluated deny (fail closed).
   */
  private async admitOrThrow(spec: JobSpec, nowS: number): Promise<void> {
    if (!this.policy) return;
    await this.loadCatalog();
    const job = toEngineJob({ id: 'admission', state: 'pending', spec, submittedAtS: nowS, updatedAtS: nowS });
    const admission = admit(this.policy, job, this.network, await this.loadExports(), nowS);
    if (admission.allowed) return;
    await this.store.appendAudit({
      atS: nowS,
      kind: 'job.denied',
      subject: spec.tenant,
      data: {
        specDigest: createHash('sha256').update(canonicalJson(spec)).digest('hex'),
        policy: `${admission.policy.name}@${admission.policy.version}`,
        rules: admission.denials.map((d) => d.rule),
      },
    });
    throw new SuanliError(
      'POLICY_DENIED',
      `denied by policy ${admission.policy.name} v${admission.policy.version}: ${admission.denials.map((d) => d.reason).join('; ')}`,
    );
  }

  /** A dry run of the governance rules for a job spec: admission, and placement at every site. */
  async testPolicy(input: SpecInput, actor: Principal = SYSTEM): Promise<ReturnType<typeof testPolicy>> {
    authorize(actor, 'policies.test');
    if (!this.policy) throw new SuanliError('INVALID_POLICY', 'no policy is loaded');
    await this.loadCatalog();
    const nowS = this.clock.nowS();
    const spec = this.readSpec(input, nowS);
    authorize(actor, 'policies.test', spec.tenant);
    await this.access.checkOwnership(spec);
    const job = toEngineJob({ id: 'test', state: 'pending', spec, submittedAtS: nowS, updatedAtS: nowS });
    return testPolicy(this.policy, job, this.network, await this.loadExports(), nowS);
  }

  /** Merges the stored fairness audits into the model registry, once. */
  private async loadCatalog(): Promise<void> {
    if (this.catalogLoaded) return;
    const audits = await this.store.listModelAudits();
    this.catalogLoaded = true;
    if (audits.length > 0) this.net = withAudits(this.net, audits);
  }

  /** The model registry, with each model's audits. */
  async models(actor: Principal = SYSTEM): Promise<readonly Model[]> {
    authorize(actor, 'catalog.read');
    await this.loadCatalog();
    return this.network.models ?? [];
  }

  /**
   * Runs a fairness audit of a model for a sector from uploaded predictions, labels and a sensitive
   * attribute (CSV: prediction,label,group), stores it with the model (figures, per-group rates and
   * a digest of the input, never the rows) and records it in the audit log.
   */
  async auditModel(
    modelId: string,
    sector: string,
    csv: string,
    source = 'upload',
    actor: Principal = SYSTEM,
  ): Promise<StoredModelAudit> {
    authorize(actor, 'models.audit');
    await this.loadCatalog();
    const model = this.network.models?.find((m) => m.id === modelId);
    if (!model) throw new SuanliError('UNKNOWN_MODEL', `unknown model ${modelId}`);
    authorize(actor, 'models.audit', model.owner);
    if (!(SECTORS as readonly string[]).includes(sector)) {
      throw new SuanliError('INVALID_FIELD', `unknown sector ${sector} (known: ${SECTORS.join(', ')})`, {
        field: 'sector',
      });
    }
    const rows = parseFairnessCsv(csv, source);
    const report = fairnessReport(rows);
    const nowS = this.clock.nowS();
    const audit: StoredModelAudit = {
      modelId,
      sector: sector as Sector,
      weightsDigest: model.weightsDigest,
      atS: nowS,
      passed: report.passed,
      demographicParityDifference: report.demographicParityDifference,
      equalizedOddsDifference: report.equalizedOddsDifference,
      disparateImpactRatio: report.disparateImpactRatio,
      report,
      inputDigest: createHash('sha256').update(csv).digest('hex'),
    };
    await this.store.insertModelAudit(audit, {
      atS: nowS,
      kind: 'model.audited',
      subject: modelId,
      data: {
        sector,
        weightsDigest: model.weightsDigest,
        passed: report.passed,
        demographicParityDifference: report.demographicParityDifference,
        equalizedOddsDifference: report.equalizedOddsDifference,
        disparateImpactRatio: report.disparateImpactRatio,
        groups: report.groups.length,
        inputDigest: audit.inputDigest,
      },
    });
    this.net = withAudits(this.net, [audit]);
    return audit;
  }

  /** The transfers abroad on record, read from the audit log once. */
  private async loadExports(): Promise<ExportRecord[]> {
    if (this.exports) return this.exports;
    const out: ExportRecord[] = [];
    for (let from = 1; ; ) {
      const page = await this.store.listAudit(from, 5000);
      if (page.length === 0) break;
      for (const e of page) if (e.kind === 'data.exported') out.push(e.data as unknown as ExportRecord);
      from = (page[page.length - 1]?.seq ?? from) + 1;
    }
    this.exports ??= out;
    return this.exports;
  }

  /**
   * A job placed outside the mainland with personal information stored in the mainland exports it:
   * each data set is recorded once per legal entity and year (counts and digest only).
   */
  private async recordExports(jobId: string, placement: Placement, nowS: number): Promise<void> {
    if (!this.policy) return;
    const site = this.network.sites.find((s) => s.id === placement.siteId);
    if (!site || site.jurisdiction === 'cn-mainland') return;
    const record = await this.store.getJob(jobId);
    if (!record) return;
    const tenant = this.network.tenants.find((t) => t.id === record.spec.tenant);
    const legalEntity = tenant?.legalEntity ?? record.spec.tenant;
    const year = yearOf(nowS);
    const exports = await this.loadExports();
    for (const d of record.spec.datasets) {
      if (!d.pi || d.pi === 'none' || d.checksum === undefined) continue;
      const mainland = d.replicas.some(
        (r) => this.network.sites.find((s) => s.id === r)?.jurisdiction === 'cn-mainland',
      );
      if (!mainland) continue;
      if (exports.some((e) => e.legalEntity === legalEntity && e.year === year && e.datasetChecksum === d.checksum))
        continue;
      const e: ExportRecord = {
        legalEntity,
        year,
        datasetChecksum: d.checksum,
        individuals: d.individuals ?? 0,
        sensitiveIndividuals: d.sensitiveIndividuals ?? 0,
      };
      await this.store.appendAudit({
        atS: nowS,
        kind: 'data.exported',
        subject: jobId,
        data: { ...e, to: site.jurisdiction },
      });
      exports.push(e);
    }
  }

  /** A dry run: every site ranked or rejected; nothing is stored. */
  async quote(input: SpecInput, actor: Principal = SYSTEM): Promise<Quote> {
    authorize(actor, 'jobs.quote');
    const nowS = this.clock.nowS();
    const spec = this.readSpec(input, nowS);
    authorize(actor, 'jobs.quote', spec.tenant);
    await this.access.checkOwnership(spec);
    const snapshot = await this.snapshot();
    const job = toEngineJob({ id: 'quote', state: 'pending', spec, submittedAtS: nowS, updatedAtS: nowS });
    const explanation = quote(snapshot, job, nowS, { profile: this.profile });
    return toQuote(explanation);
  }

  async getJob(id: string, actor: Principal = SYSTEM): Promise<JobRecord> {
    authorize(actor, 'jobs.read');
    const job = await this.store.getJob(id);
    // Another tenant's job is as good as missing: its id says nothing about it.
    if (!job || !allowed(actor, 'jobs.read', job.spec.tenant)) throw new SuanliError('JOB_NOT_FOUND', `no job ${id}`);
    return job;
  }

  /**
   * Cluster queues with each accelerator type's nominal quota, use (running and placed jobs), what
   * they may take now including borrowing, and the tenants on each. Tenant roles see their own queue.
   */
  async quotas(actor: Principal = SYSTEM): Promise<QuotaStatus[]> {
    authorize(actor, 'sites.read');
    const nowS = this.clock.nowS();
    const cycle = new Cycle(await this.snapshot(), nowS);
    const mine =
      actor.tenant !== undefined ? this.network.tenants.find((t) => t.id === actor.tenant)?.clusterQueue : undefined;
    return this.network.clusterQueues
      .filter((q) => actor.tenant === undefined || q.name === mine)
      .map((q) => ({
        name: q.name,
        ...(q.cohort !== undefined ? { cohort: q.cohort } : {}),
        tenants: this.network.tenants.filter((t) => t.clusterQueue === q.name).map((t) => t.id),
        flavours: q.quotas.map((f) => {
          const h = headroom(cycle, q, f.flavour);
          return {
            flavour: f.flavour,
            nominal: h.nominal,
            used: h.used,
            available: h.available,
            borrowed: Math.max(0, h.used - h.nominal),
            ...(f.borrowingLimit !== undefined ? { borrowingLimit: f.borrowingLimit } : {}),
          };
        }),
      }));
  }

  /** A Kueue-ready Kubernetes Job for a placed job (docs/design/backends.md). */
  async kueueManifest(
    id: string,
    options: KueueOptions = {},
    actor: Principal = SYSTEM,
  ): Promise<Record<string, unknown>> {
    return kueueJobManifest(await this.getJob(id, actor), this.network, options);
  }

  /** Jobs, newest first; tenant roles see their own tenant's only. */
  listJobs(filter: JobFilter = {}, actor: Principal = SYSTEM): Promise<JobRecord[]> {
    authorize(actor, 'jobs.read');
    if (actor.tenant !== undefined && (actor.role === 'tenant-admin' || actor.role === 'tenant-member')) {
      if (filter.tenant !== undefined && filter.tenant !== actor.tenant) authorize(actor, 'jobs.read', filter.tenant);
      return this.store.listJobs({ ...filter, tenant: actor.tenant });
    }
    return this.store.listJobs(filter);
  }

  /** Cancels a job that has not finished; on its backend first if it was handed over. */
  async cancel(id: string, actor: Principal = SYSTEM): Promise<JobRecord> {
    authorize(actor, 'jobs.cancel');
    for (let attempt = 0; attempt < 5; attempt++) {
      const job = await this.getJob(id, actor);
      authorize(actor, 'jobs.cancel', job.spec.tenant);
      if (FINAL_STATES.includes(job.state)) {
        throw new SuanliError('JOB_NOT_CANCELLABLE', `job ${id} is already ${job.state}`);
      }
      if (job.externalId && job.backend) await this.backend(job.backend).cancel(job.externalId);
      const nowS = this.clock.nowS();
      const done = await this.store.transitionJob(
        id,
        [job.state],
        { state: 'cancelled', endedAtS: nowS, updatedAtS: nowS, message: 'cancelled by request' },
        { atS: nowS, kind: 'job.cancelled', subject: id, data: { from: job.state } },
      );
      if (done) {
        this.queue.remove(id);
        await this.released(job.placement?.poolId);
        return done;
      }
    }
    throw new SuanliError('INTERNAL', `job ${id} kept changing state while being cancelled`);
  }

  /**
   * The links to draw: the network's explicit links, and for every site the modelled links to its
   * two nearest sites (latency from the route model), each pair once.
   */
  links(actor: Principal = SYSTEM): LinkView[] {
    authorize(actor, 'sites.read');
    const net = this.network;
    const out = new Map<string, LinkView>();
    const key = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
    for (const l of net.links) {
      out.set(key(l.a, l.b), {
        a: l.a,
        b: l.b,
        latencyMs: l.latencyMs,
        bandwidthGbps: l.bandwidthGbps,
        modelled: false,
      });
    }
    const m = net.linkModel;
    for (const s of net.sites) {
      const nearest = net.sites
        .filter((t) => t.id !== s.id)
        .map((t) => ({ t, km: greatCircleKm(s.lat, s.lon, t.lat, t.lon) }))
        .sort((x, y) => x.km - y.km)
        .slice(0, 2);
      for (const { t, km } of nearest) {
        const k = key(s.id, t.id);
        if (out.has(k)) continue;
        const latencyMs = Math.round(modelLatencyMs(km, m.routeFactor, m.minLatencyMs) * 10) / 10;
        out.set(k, { a: s.id, b: t.id, latencyMs, bandwidthGbps: m.bandwidthGbps, modelled: true });
      }
    }
    return [...out.values()];
  }

  async sites(actor: Principal = SYSTEM): Promise<SiteStatus[]> {
    authorize(actor, 'sites.read');
    const used = new Map<string, number>();
    for (const j of await this.store.listJobs({ states: ACTIVE_STATES })) {
      if (j.placement) used.set(j.placement.poolId, (used.get(j.placement.poolId) ?? 0) + j.placement.count);
    }
    return this.network.sites.map((s) => {
      const pools = s.pools.map((p) => ({
        id: p.id,
        accelerator: p.accelerator,
        count: p.count,
        used: used.get(p.id) ?? 0,
        priceCnyPerAcceleratorHour: p.priceCnyPerAcceleratorHour,
        backend: p.backend,
      }));
      const accelerators = pools.reduce((n, p) => n + p.count, 0);
      const inUse = pools.reduce((n, p) => n + p.used, 0);
      const { pools: _, ...site } = s;
      return { ...site, accelerators, used: inUse, utilization: accelerators > 0 ? inUse / accelerators : 0, pools };
    });
  }

  async site(id: string, actor: Principal = SYSTEM): Promise<SiteStatus> {
    const site = (await this.sites(actor)).find((s) => s.id === id);
    if (!site) throw new SuanliError('SITE_NOT_FOUND', `no site ${id}`);
    return site;
  }

  /** What the engine would decide for a pending job now, and the quota that holds it. */
  async why(id: string, actor: Principal = SYSTEM): Promise<WhyPending> {
    const job = await this.getJob(id, actor);
    if (job.state !== 'pending') {
      return {
        jobId: id,
        state: job.state,
        decision: 'not-pending',
        summary: job.explanation?.summary ?? `the job is ${job.state}`,
        reason: job.message ?? `the job is ${job.state}`,
        ahead: 0,
        notes: job.explanation?.notes ?? [],
        verdicts: job.explanation?.verdicts ?? [],
      };
    }
    const nowS = this.clock.nowS();
    const snapshot = await this.snapshot();
    const { decisions } = decide(snapshot, nowS, { profile: this.profile });
    const index = decisions.findIndex((d) => d.jobId === id);
    const d = decisions[index];
    if (!d) throw new SuanliError('INTERNAL', `job ${id} is pending but was not decided`);
    const cycle = new Cycle(snapshot, nowS);
    const cq = queueOf(cycle, job.spec.tenant);
    const quota = cq
      ? {
          clusterQueue: cq.name,
          ...(cq.cohort !== undefined ? { cohort: cq.cohort } : {}),
          flavours: job.spec.options.map((o) => {
            const h = headroom(cycle, cq, o.accelerator);
            return {
              flavour: o.accelerator,
              nominal: h.nominal,
              used: h.used,
              available: h.available,
              needs: o.perMember * job.spec.gang,
            };
          }),
        }
      : undefined;
    return {
      jobId: id,
      state: job.state,
      decision: d.kind,
      summary: d.explanation.summary,
      reason: d.kind === 'place' ? 'it would be placed in the next cycle' : d.reason,
      ...(d.kind === 'wait' && d.expectedStartS !== undefined ? { expectedStartS: d.expectedStartS } : {}),
      ...(d.kind === 'reserve' ? { expectedStartS: d.placement.estimate.startS } : {}),
      ahead: index,
      ...(quota ? { quota } : {}),
      notes: d.explanation.notes,
      verdicts: d.explanation.verdicts,
    };
  }

  countJobsByState(): Promise<Readonly<Record<JobState, number>>> {
    return this.store.countJobsByState();
  }

  listAudit(fromSeq: number, limit: number, actor: Principal = SYSTEM): Promise<AuditEntry[]> {
    authorize(actor, 'audit.read');
    return this.store.listAudit(fromSeq, limit);
  }

  /** The audit log's tree head and proofs, for auditors and operators. */
  auditTree(actor: Principal = SYSTEM): AuditLog {
    authorize(actor, 'audit.read');
    return this.auditLog;
  }

  /** The data catalog. */
  datasets(actor: Principal = SYSTEM): Network['datasets'] {
    authorize(actor, 'catalog.read');
    return this.network.datasets;
  }

  /** The policy in force, for listing. */
  policyInForce(actor: Principal = SYSTEM): Policy {
    authorize(actor, 'policies.read');
    if (!this.policy) throw new SuanliError('INVALID_POLICY', 'no policy is loaded (the server runs with --no-policy)');
    return this.policy;
  }

  /** Who a token belongs to; UNAUTHENTICATED for a missing, unknown, revoked or expired token. */
  authenticate(token: string | undefined): Promise<Principal> {
    return this.access.authenticate(token);
  }

  /** Issues a token (see Access.createToken). */
  createToken(
    req: { name: string; role: Role; tenant?: string; expiresInS?: number },
    actor: Principal = SYSTEM,
  ): Promise<NewToken> {
    return this.access.createToken(req, actor);
  }

  /** Whether this process is the one that schedules (it may become so on this call). */
  leads(): Promise<boolean> {
    return this.store.holdLeadership();
  }

  /** On a first start: an operator token when there is none yet (returned once), else undefined. */
  bootstrapOperator(): Promise<string | undefined> {
    return this.access.bootstrapOperator(SYSTEM);
  }

  verifyAudit(actor: Principal = SYSTEM): Promise<AuditVerification> {
    authorize(actor, 'audit.read');
    const store = this.store;
    return verifyAuditChain({
      async *[Symbol.asyncIterator]() {
        let from = 1;
        for (;;) {
          const page = await store.listAudit(from, 1000);
          if (page.length === 0) return;
          yield page;
          from = (page[page.length - 1]?.seq ?? from) + 1;
        }
      },
    });
  }

  /**
   * One scheduling cycle: the engine decides for every pending job. Placements are recorded (state
   * `scheduled`, with their explanation and an audit entry), after stopping any jobs they preempt,
   * and handed to their backends; waiting and reserved jobs keep their latest explanation.
   */
  async schedule(): Promise<CycleReport> {
    const nowS = this.clock.nowS();
    const snapshot = await this.snapshot();
    const queue = this.admit(snapshot.queue, nowS);
    const result = decide({ ...snapshot, queue }, nowS, {
      profile: this.profile,
      ...(this.solver ? { solver: this.solver } : {}),
    });
    this.queue.afterCycle(result.decisions, nowS);
    return this.apply(result.decisions, nowS);
  }

  /**
   * Brings the scheduling queue in line with the store's pending jobs and returns the ones this
   * cycle decides: new and requeued jobs, jobs holding a reservation, and parked jobs whose pool
   * has freed accelerators or whose park time is up (SchedulingQueue).
   */
  private admit(pending: readonly Job[], nowS: number): Job[] {
    const ids = new Set(pending.map((j) => j.id));
    for (const id of this.queue.ids()) if (!ids.has(id)) this.queue.remove(id);
    for (const j of pending) if (!this.queue.has(j.id)) this.queue.add(j);
    return this.queue.take(nowS);
  }

  /** A job stopped holding its accelerators: parked jobs that could use them come back. */
  private async released(poolId: string | undefined): Promise<void> {
    const pool = poolId === undefined ? undefined : prepareNetwork(this.network).poolById.get(poolId);
    if (!pool) return;
    const held = (await this.store.listJobs({ states: ACTIVE_STATES }))
      .filter((j) => j.placement?.poolId === poolId)
      .reduce((n, j) => n + (j.placement?.count ?? 0), 0);
    this.queue.freed(pool.pool.id, pool.pool.count - held);
  }

  /**
   * Runs the batch optimizer over the queue now. With `apply`, its plan is carried out as a
   * scheduling cycle would; without, nothing changes and the plan is only reported.
   */
  async optimize(apply: boolean, actor: Principal = SYSTEM): Promise<OptimizeResult> {
    authorize(actor, 'optimize');
    if (!this.solver) throw new SuanliError('OPTIMIZER_UNAVAILABLE', 'no LP/MIP solver is configured for this server');
    if (this.profile.optimizer.mode === 'off') {
      throw new SuanliError('OPTIMIZER_UNAVAILABLE', `the batch optimizer is off in profile ${this.profile.name}`);
    }
    const nowS = this.clock.nowS();
    const snapshot = await this.snapshot();
    const result = decide(snapshot, nowS, {
      profile: this.profile,
      solver: this.solver,
      optimize: true,
    });
    const counts = { place: 0, reserve: 0, wait: 0 };
    for (const d of result.decisions) counts[d.kind]++;
    const cycle = apply ? await this.apply(result.decisions, nowS) : undefined;
    return {
      atS: nowS,
      applied: apply,
      ...(result.optimizer ? { report: result.optimizer } : {}),
      decisions: { placed: counts.place, reserved: counts.reserve, waiting: counts.wait },
      ...(cycle ? { cycle } : {}),
      plan: result.decisions.flatMap((d) =>
        d.kind === 'wait'
          ? []
          : [
              {
                jobId: d.jobId,
                kind: d.kind,
                siteId: d.placement.siteId,
                poolId: d.placement.poolId,
                startS: d.placement.estimate.startS,
              },
            ],
      ),
    };
  }

  /** Records a cycle's decisions: placements (after their preemptions) and waiting explanations. */
  private async apply(decisions: readonly Decision[], nowS: number): Promise<CycleReport> {
    const pending = new Map((await this.store.listJobs({ states: ['pending'] })).map((j) => [j.id, j]));
    const report = {
      atS: nowS,
      placed: 0,
      reserved: 0,
      waiting: 0,
      preempted: 0,
      dispatched: 0,
      energyKwh: 0,
      carbonKg: 0,
      costCny: 0,
    };
    for (const d of decisions) {
      if (d.kind === 'place') {
        for (const v of d.preempts) if (await this.preempt(v, d.jobId)) report.preempted++;
        const pool = prepareNetwork(this.network).poolById.get(d.placement.poolId);
        const job = await this.store.transitionJob(
          d.jobId,
          ['pending'],
          {
            state: 'scheduled',
            placement: d.placement,
            explanation: d.explanation,
            backend: pool?.pool.backend ?? 'sim',
            message: d.explanation.summary,
            updatedAtS: nowS,
          },
          { atS: nowS, kind: 'job.placed', subject: d.jobId, data: placementAudit(d.placement) },
        );
        if (job) {
          report.placed++;
          report.energyKwh += d.placement.estimate.energyKwh;
          report.carbonKg += d.placement.estimate.carbonKg;
          report.costCny += d.placement.estimate.costCny;
          await this.recordExports(d.jobId, d.placement, nowS);
        }
        continue;
      }
      if (d.kind === 'reserve') report.reserved++;
      else report.waiting++;
      const last = pending.get(d.jobId)?.explanation;
      // A waiting job's explanation is refreshed at most every 30 s: it is not a state change.
      if (!last || nowS - last.atS >= 30) {
        await this.store.transitionJob(d.jobId, ['pending'], {
          explanation: d.explanation,
          message: d.reason,
          updatedAtS: nowS,
        });
      }
    }
    report.dispatched = await this.dispatch();
    return report;
  }

  /** Stops a running job to make room for another and puts it back in the queue. */
  private async preempt(v: Preemption, by: string): Promise<boolean> {
    const job = await this.store.getJob(v.jobId);
    if (!job || (job.state !== 'scheduled' && job.state !== 'running')) return false;
    if (job.externalId && job.backend) await this.backend(job.backend).cancel(job.externalId);
    const nowS = this.clock.nowS();
    const stopped = !!(await this.store.transitionJob(
      v.jobId,
      ['scheduled', 'running'],
      {
        state: 'pending',
        message: v.reason,
        updatedAtS: nowS,
        clear: ['placement', 'backend', 'externalId', 'startedAtS'],
      },
      { atS: nowS, kind: 'job.preempted', subject: v.jobId, data: { by, poolId: v.poolId, count: v.count } },
    ));
    // No wake-up here: the preempting job takes what the victim frees, in this same cycle.
    return stopped;
  }

  /** Hands scheduled jobs that no backend has yet to their backends. Safe to repeat. */
  async dispatch(): Promise<number> {
    const todo = (await this.store.listJobs({ states: ['scheduled'] })).filter(
      (j) => !j.externalId && j.placement && j.backend,
    );
    let n = 0;
    // A few hand-overs at once: a cluster manager answers each in milliseconds, not microseconds.
    const workers = Array.from({ length: Math.min(DISPATCH_CONCURRENCY, todo.length) }, async () => {
      for (let job = todo.shift(); job; job = todo.shift()) if (await this.dispatchOne(job)) n++;
    });
    await Promise.all(workers);
    return n;
  }

  private async dispatchOne(job: JobRecord): Promise<boolean> {
    const placement = job.placement;
    const backend = job.backend;
    if (!placement || !backend) return false;
    let externalId: string;
    try {
      ({ externalId } = await this.backend(backend).submit({
        jobId: job.id,
        name: job.spec.name,
        tenant: job.spec.tenant,
        siteId: placement.siteId,
        poolId: placement.poolId,
        accelerator: placement.accelerator,
        count: placement.count,
        durationS: placement.estimate.durationS,
        stageS: placement.estimate.transferS,
      }));
    } catch (e) {
      this.warn(`backend ${backend} refused job ${job.id}; will retry`, e);
      // The job stays placed and waits for its backend; its status says why.
      const message = `waiting for backend ${backend}: ${e instanceof Error ? e.message : String(e)}`;
      if (job.message !== message) {
        await this.store.transitionJob(job.id, ['scheduled'], { message, updatedAtS: this.clock.nowS() });
      }
      return false;
    }
    const nowS = this.clock.nowS();
    const done = await this.store.transitionJob(
      job.id,
      ['scheduled'],
      { externalId, updatedAtS: nowS },
      { atS: nowS, kind: 'job.dispatched', subject: job.id, data: { backend, externalId } },
    );
    return !!done;
  }

  /** Asks each backend about the jobs it runs and records what changed. */
  async syncBackends(): Promise<number> {
    const active = await this.store.listJobs({ states: ACTIVE_STATES });
    const byBackend = new Map<string, JobRecord[]>();
    for (const j of active) {
      if (!j.backend || !j.externalId) continue;
      const list = byBackend.get(j.backend);
      if (list) list.push(j);
      else byBackend.set(j.backend, [j]);
    }
    let changed = 0;
    for (const [name, jobs] of byBackend) {
      let statuses: readonly BackendStatus[];
      try {
        statuses = await this.backend(name).poll(jobs.map((j) => j.externalId ?? ''));
      } catch (e) {
        this.warn(`backend ${name} did not answer; will retry`, e);
        continue;
      }
      const byExternal = new Map(jobs.map((j) => [j.externalId, j]));
      for (const s of statuses) {
        const job = byExternal.get(s.externalId);
        if (job && (await this.applyStatus(job, s))) changed++;
      }
    }
    return changed;
  }

  private async applyStatus(job: JobRecord, s: BackendStatus): Promise<boolean> {
    const nowS = this.clock.nowS();
    if (s.state === 'queued') return false;
    if (s.state === 'running') {
      if (job.state !== 'scheduled') return false;
      const startedAtS = s.startedAtS ?? nowS;
      return !!(await this.store.transitionJob(
        job.id,
        ['scheduled'],
        { state: 'running', startedAtS, updatedAtS: nowS },
        { atS: nowS, kind: 'job.running', subject: job.id, data: { startedAtS } },
      ));
    }
    const endedAtS = s.endedAtS ?? nowS;
    const patch = {
      state: s.state,
      startedAtS: job.startedAtS ?? s.startedAtS ?? endedAtS,
      endedAtS,
      ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
      ...(s.message !== undefined ? { message: s.message } : {}),
      updatedAtS: nowS,
    };
    const ended = !!(await this.store.transitionJob(job.id, ACTIVE_STATES, patch, {
      atS: nowS,
      kind: `job.${s.state}`,
      subject: job.id,
      data: { endedAtS, ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}) },
    }));
    if (ended) await this.released(job.placement?.poolId);
    return ended;
  }

  /** The time scale of the backend that runs (or will run) a job: 1 unless it runs faster than real time. */
  private timeScale(j: JobRecord): number {
    const name =
      j.backend ??
      (j.placement ? prepareNetwork(this.network).poolById.get(j.placement.poolId)?.pool.backend : undefined);
    const scale = name === undefined ? undefined : this.backends.get(name)?.timeScale;
    return scale !== undefined && scale > 0 ? scale : 1;
  }

  private backend(name: string): Backend {
    const b = this.backends.get(name);
    if (!b) throw new SuanliError('INTERNAL', `backend ${name} is not configured`);
    return b;
  }

  private readSpec(input: SpecInput, nowS: number): JobSpec {
    const parsed: ParsedText =
      'text' in input
        ? parseText(input.text, input.source, input.format ? { format: input.format } : {})
        : parsedValue(input.value, input.source);
    return readJobSpec(parsed, this.network, nowS);
  }

  private async snapshot(): Promise<Snapshot> {
    await this.loadCatalog();
    const active = await this.store.listJobs({ states: ACTIVE_STATES });
    const pending = await this.store.listJobs({ states: ['pending'] });
    return {
      network: this.network,
      allocations: active.flatMap((j) => (j.placement ? [toAllocation(j, j.placement, this.timeScale(j))] : [])),
      queue: pending.map(toEngineJob),
      exports: await this.loadExports(),
    };
  }
}

/**
 * What a placed or running job holds, as the engine sees it. Its accelerators are free again when
 * its backend will have run it: the estimate ÷ the backend's time scale (60× on the sim backend).
 */
function toAllocation(j: JobRecord, p: Placement, timeScale: number): Allocation {
  const startS = j.startedAtS ?? p.estimate.startS;
  return {
    jobId: j.id,
    tenant: j.spec.tenant,
    kind: j.spec.kind,
    poolId: p.poolId,
    accelerator: p.accelerator,
    count: p.count,
    startS,
    endS: startS + p.estimate.durationS / timeScale,
    priority: j.spec.priority,
    preemptible: j.spec.preemptible,
  };
}

function placementAudit(p: Placement): Record<string, unknown> {
  return {
    siteId: p.siteId,
    poolId: p.poolId,
    accelerator: p.accelerator,
    count: p.count,
    startS: p.estimate.startS,
    costCny: round2(p.estimate.costCny),
    energyKwh: round2(p.estimate.energyKwh),
    carbonKg: round2(p.estimate.carbonKg),
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function toQuote(e: Explanation): Quote {
  const options: Extract<SiteVerdict, { outcome: 'scored' }>[] = [];
  const rejected: Extract<SiteVerdict, { outcome: 'filtered' }>[] = [];
  for (const v of e.verdicts) {
    if (v.outcome === 'scored') options.push(v);
    else rejected.push(v);
  }
  return { atS: e.atS, summary: e.summary, options, rejected };
}

/** The network with audits added to their models (a new object: networks are values). */
function withAudits(network: Network, audits: readonly StoredModelAudit[]): Network {
  if (!network.models) return network;
  return {
    ...network,
    models: network.models.map((m) => {
      const mine = audits.filter((a) => a.modelId === m.id);
      if (mine.length === 0) return m;
      const fairness = mine.map(({ modelId: _m, report: _r, inputDigest: _i, ...a }) => a);
      return { ...m, audits: [...m.audits, ...fairness] };
    }),
  };
}

/** Reads `prediction,label,group` rows (0/1, 0/1, any text); every problem names its line. */
export function parseFairnessCsv(text: string, source: string): FairnessRow[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').trim().toLowerCase();
  if (header !== 'prediction,label,group') {
    throw new SuanliError('MALFORMED_INPUT', 'the header must be prediction,label,group', { source, line: 1 });
  }
  const rows: FairnessRow[] = [];
  lines.slice(1).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const [p, l, ...g] = line.split(',');
    const group = g.join(',').trim();
    const bit = (v: string | undefined, field: string): 0 | 1 => {
      const t = v?.trim();
      if (t === '0' || t === '1') return t === '1' ? 1 : 0;
      throw new SuanliError('MALFORMED_INPUT', `${field} must be 0 or 1, not ${JSON.stringify(t ?? '')}`, {
        source,
        line: i + 2,
        field,
      });
    };
    const prediction = bit(p, 'prediction');
    const label = bit(l, 'label');
    if (group === '')
      throw new SuanliError('MALFORMED_INPUT', 'group is empty', { source, line: i + 2, field: 'group' });
    rows.push({ prediction, label, group });
  });
  if (rows.length === 0) throw new SuanliError('MALFORMED_INPUT', 'no rows', { source, line: 2 });
  return rows;
}
