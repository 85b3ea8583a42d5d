import {
  autoscale,
  demandAt,
  nextScaleS,
  type ReplicaView,
  Router,
  regionStep,
  replicaCapacity,
  replicaId,
  replicaJob,
  type ScalerMemory,
  type ServiceSpec,
  sloSites,
  ttftMs,
} from '@suanli/engine';
import { authorize, type Principal } from '../auth.ts';
import { SuanliError } from '../errors.ts';
import { ACTIVE_STATES, FINAL_STATES, type JobRecord } from '../job-record.ts';
import type { UseCaseContext } from './context.ts';

/** The autoscaler runs this often (in the services' time: sped up with a fast simulated backend). */
export const SERVING_STEP_S = 60;

/** A service as the API shows it: its replicas, its load now, whether it meets its SLO now, and its cost. */
export interface ServiceView {
  readonly id: string;
  readonly name: string;
  readonly tenant: string;
  readonly state: JobRecord['state'];
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly guaranteed: number;
  readonly sloMs: number;
  readonly targetPerReplica: number;
  /** The services' clock now (seconds): the demand curves are read at it. */
  readonly atS: number;
  readonly regions: readonly {
    readonly regionId: string;
    readonly requestsPerS: number;
    readonly replicas: number;
    readonly running: number;
    /** Expected time to first token from the region now (the farthest running replica, at this load); none without one. */
    readonly ttftMs?: number;
    readonly withinSlo: boolean;
  }[];
  readonly replicas: readonly {
    readonly id: string;
    readonly regionId: string;
    readonly guaranteed: boolean;
    readonly state: JobRecord['state'];
    readonly siteId?: string;
    readonly costCnyPerHour?: number;
  }[];
  readonly costCnyPerHour: number;
  /** What a million requests cost at this load (replicas' hourly cost ÷ requests an hour). */
  readonly costCnyPerMillion?: number;
  /** And a million tokens, when the spec says how many tokens a request asks for. */
  readonly costCnyPerMillionTokens?: number;
  /** Share of its requests so far answered within the SLO (measured every step, as the simulator does). */
  readonly sloAttainment?: number;
  readonly requests: number;
}

/**
 * Online services in the live service: every step the leader runs the autoscaler (the simulator's)
 * over each running service's replicas, queues new replicas as jobs and cancels the ones scaled
 * down, each step an audit entry (`service.scaled`) with its reason; replicas still waiting are
 * decided afresh. A service ends after its `durationS`, and its replicas with it.
 */
export class Serving {
  private readonly ctx: UseCaseContext;
  private readonly memory = new Map<string, ScalerMemory>();
  /** When each service's requests were last measured (its clock). */
  private readonly measured = new Map<string, number>();
  private nextS = Number.NEGATIVE_INFINITY;
  private routers = new Map<string, { key: string; router: Router }>();

  constructor(ctx: UseCaseContext) {
    this.ctx = ctx;
  }

  /** When the autoscaler runs next (clock seconds). */
  get nextTickS(): number {
    return this.nextS;
  }

  /** How much faster than the clock the services' time runs: the fastest backend's time scale. */
  timeScale(): number {
    let scale = 1;
    for (const b of this.ctx.backends.values()) scale = Math.max(scale, b.timeScale ?? 1);
    return scale;
  }

  /** A service's clock: from its start, sped up with the backend. */
  private serviceTimeS(svc: JobRecord, nowS: number): number {
    const start = svc.startedAtS ?? svc.submittedAtS;
    return start + (nowS - start) * this.timeScale();
  }

  /** One step of every service (on the server that schedules, inside its exclusive section). */
  async tick(nowS: number): Promise<number> {
    if (nowS < this.nextS) return 0;
    // At whole steps, as the simulator's autoscaler runs.
    this.nextS = nextScaleS(nowS, SERVING_STEP_S / this.timeScale());
    const records = [...this.ctx.live.records()];
    const services = records.filter((r) => r.spec.service && r.spec.kind === 'serve' && !r.replicaOf);
    const replicas = records.filter((r) => r.replicaOf);
    let changed = 0;
    // Replicas of a service that ended go with it.
    for (const r of replicas) {
      const svc = this.ctx.live.record(r.replicaOf?.serviceId ?? '');
      if (!svc || FINAL_STATES.includes(svc.state)) changed += await this.stop(r, 'its service ended', nowS);
    }
    for (const svc of services) {
      if (svc.state !== 'running') continue;
      const spec = serviceSpecOf(svc);
      const t = this.serviceTimeS(svc, nowS);
      const mine = replicas.filter((r) => r.replicaOf?.serviceId === svc.id && !FINAL_STATES.includes(r.state));
      if (t >= (svc.startedAtS ?? svc.submittedAtS) + svc.spec.durationS) {
        for (const r of mine) changed += await this.stop(r, 'the service ran its duration', nowS);
        const done = await this.ctx.store.transitionJob(
          svc.id,
          ['running'],
          { state: 'succeeded', endedAtS: nowS, updatedAtS: nowS, message: 'the service ran its duration' },
          { atS: nowS, kind: 'job.succeeded', subject: svc.id, data: { endedAtS: nowS } },
        );
        if (done) this.ctx.live.remember(done);
        continue;
      }
      changed += await this.measure(svc, spec, mine, t, nowS);
      const views: ReplicaView[] = mine.map((r) => ({
        id: r.id,
        regionId: r.replicaOf?.regionId ?? '',
        guaranteed: r.replicaOf?.guaranteed ?? false,
        running: r.state === 'running' || r.state === 'scheduled',
      }));
      const observed = svc.observedLoad ? new Map(Object.entries(svc.observedLoad)) : undefined;
      const d = autoscale(spec, views, t, this.memory.get(svc.id) ?? new Map(), observed);
      this.memory.set(svc.id, d.memory);
      const sites = sloSites(this.ctx.network(), spec);
      const endS = (svc.startedAtS ?? svc.submittedAtS) + svc.spec.durationS;
      for (const [k, up] of d.up.entries()) {
        // Named for the step that asked for them (as in the simulator): unique however many came and went.
        const id = replicaId(svc.id, t, k);
        const job = replicaJob(spec, id, up.regionId, up.guaranteed, sites.get(up.regionId) ?? [], nowS, endS - t);
        const { id: _, submittedAtS: __, ...jobSpec } = job;
        const record: JobRecord = {
          id,
          state: 'pending',
          spec: { ...jobSpec, name: `${svc.spec.name} replica for ${up.regionId}` },
          submittedAtS: nowS,
          updatedAtS: nowS,
          replicaOf: { serviceId: svc.id, regionId: up.regionId, guaranteed: up.guaranteed },
        };
        await this.ctx.store.insertJob(record, {
          atS: nowS,
          kind: 'service.scaled',
          subject: svc.id,
          data: { direction: 'up', replica: id, regionId: up.regionId, guaranteed: up.guaranteed, reason: up.reason },
        });
        this.ctx.live.reconcile(record);
        changed++;
      }
      // Replicas still waiting are decided afresh, anywhere within the SLO.
      for (const id of d.retry) {
        const r = this.ctx.live.record(id);
        if (r?.state === 'pending') this.ctx.live.requeue(r);
      }
      for (const down of d.down) {
        const r = mine.find((x) => x.id === down.replicaId);
        if (r) changed += await this.stop(r, down.reason, nowS, svc.id);
      }
    }
    return changed;
  }

  /** The requests since the last step, and those within the SLO with the replicas running now (kept on the record). */
  private async measure(svc: JobRecord, spec: ServiceSpec, mine: readonly JobRecord[], t: number, nowS: number) {
    const from = this.measured.get(svc.id);
    this.measured.set(svc.id, t);
    if (from === undefined || t <= from) return 0;
    const sites = sloSites(this.ctx.network(), spec);
    let requests = 0;
    let withinSlo = 0;
    for (const region of spec.demand) {
      const rps = svc.observedLoad?.[region.regionId] ?? demandAt(region, (from + t) / 2);
      const rtts = mine
        .filter((r) => r.state === 'running' && r.replicaOf?.regionId === region.regionId)
        .map((r) => sites.get(region.regionId)?.find((x) => x.site.site.id === r.placement?.siteId)?.rttMs ?? Infinity);
      const step = regionStep(spec, rps, rtts, t - from);
      requests += step.requests;
      withinSlo += step.withinSlo;
    }
    const slo = { requests: (svc.slo?.requests ?? 0) + requests, withinSlo: (svc.slo?.withinSlo ?? 0) + withinSlo };
    const updated = await this.ctx.store.transitionJob(svc.id, ['running'], { slo, updatedAtS: nowS });
    if (updated) this.ctx.live.remember(updated);
    return 0;
  }

  /** Stops a replica: cancelled on its backend if it was handed over, then in the store. */
  private async stop(r: JobRecord, reason: string, nowS: number, serviceId?: string): Promise<number> {
    if (r.externalId && r.backend) {
      try {
        await this.ctx.backends.get(r.backend)?.cancel(r.externalId);
      } catch (e) {
        this.ctx.warn(`cannot stop replica ${r.id} on ${r.backend} yet`, e);
        return 0;
      }
    }
    const done = await this.ctx.store.transitionJob(
      r.id,
      ['pending', ...ACTIVE_STATES],
      { state: 'cancelled', endedAtS: nowS, updatedAtS: nowS, message: `scaled down: ${reason}` },
      serviceId
        ? {
            atS: nowS,
            kind: 'service.scaled',
            subject: serviceId,
            data: { direction: 'down', replica: r.id, regionId: r.replicaOf?.regionId, reason },
          }
        : { atS: nowS, kind: 'job.cancelled', subject: r.id, data: { from: r.state, reason } },
    );
    if (!done) return 0;
    this.ctx.live.reconcile(done);
    return 1;
  }

  /** Where a request from `regionId` should go: the running replica with the lowest expected time to first token. */
  async route(serviceId: string, regionId: string, actor: Principal) {
    const svc = await this.service(serviceId, actor);
    if (!svc.spec.service?.demand.some((d) => d.regionId === regionId)) {
      throw new SuanliError('INVALID_FIELD', `${regionId} is not a demand region of service ${serviceId}`, {
        field: 'from',
      });
    }
    const running = this.replicasOf(serviceId).filter((r) => r.state === 'running' && r.placement);
    const key = running.map((r) => `${r.id}@${r.placement?.siteId}`).join(',');
    let entry = this.routers.get(serviceId);
    if (!entry || entry.key !== key) {
      const router = new Router(
        this.ctx.network(),
        serviceSpecOf(svc),
        running.map((r) => ({ id: r.id, siteId: r.placement?.siteId ?? '', loadPerS: 0 })),
        svc.spec.service.demand.map((d) => d.regionId),
      );
      entry = { key, router };
      this.routers.set(serviceId, entry);
    }
    const route = entry.router.route(regionId);
    if (!route) throw new SuanliError('NO_FEASIBLE_SITE', `service ${serviceId} has no replica running yet`);
    return { ...route, endpoint: `${route.siteId}/${serviceId}/${route.replicaId}` };
  }

  /** Records the load a service's users send now, per region (from its gateway or metrics). */
  async observe(serviceId: string, load: Readonly<Record<string, number>>, actor: Principal): Promise<ServiceView> {
    const svc = await this.service(serviceId, actor);
    authorize(actor, 'jobs.submit', svc.spec.tenant);
    for (const [region, rps] of Object.entries(load)) {
      if (!svc.spec.service?.demand.some((d) => d.regionId === region)) {
        throw new SuanliError('INVALID_FIELD', `${region} is not a demand region of service ${serviceId}`, {
          field: region,
        });
      }
      if (!(rps >= 0 && rps <= 10_000_000)) {
        throw new SuanliError('INVALID_FIELD', `a load is 0 to 10,000,000 requests a second, got ${rps}`, {
          field: region,
        });
      }
    }
    const nowS = this.ctx.clock.nowS();
    const updated = await this.ctx.store.transitionJob(
      serviceId,
      ['running'],
      { observedLoad: { ...svc.observedLoad, ...load }, updatedAtS: nowS },
      { atS: nowS, kind: 'service.load', subject: serviceId, data: { ...load } },
    );
    if (!updated)
      throw new SuanliError('JOB_NOT_CANCELLABLE', `service ${serviceId} is ${svc.state}: it takes no load`);
    this.ctx.live.remember(updated);
    return this.view(updated);
  }

  async get(serviceId: string, actor: Principal): Promise<ServiceView> {
    return this.view(await this.service(serviceId, actor));
  }

  async list(actor: Principal): Promise<ServiceView[]> {
    authorize(actor, 'jobs.read');
    await this.current();
    const all = await this.ctx.store.listJobs({ states: ['running'] });
    return all
      .filter(
        (r) =>
          r.spec.service &&
          !r.replicaOf &&
          (actor.tenant === undefined ||
            actor.role === 'operator' ||
            actor.role === 'auditor' ||
            r.spec.tenant === actor.tenant),
      )
      .map((r) => this.view(r));
  }

  private async service(id: string, actor: Principal): Promise<JobRecord> {
    authorize(actor, 'jobs.read');
    await this.current();
    // From the store: the scheduling server (another thread or process) keeps its measures there.
    const r = await this.ctx.store.getJob(id);
    if (
      !r?.spec.service ||
      r.replicaOf ||
      (actor.tenant !== undefined &&
        actor.role !== 'operator' &&
        actor.role !== 'auditor' &&
        r.spec.tenant !== actor.tenant)
    ) {
      throw new SuanliError('JOB_NOT_FOUND', `no service ${id}`);
    }
    return r;
  }

  /** The replicas as the store has them now: the server that schedules (another thread or process) asks for them. */
  private async current(): Promise<void> {
    const live = this.ctx.live;
    await live.exclusive(() => live.catchUp());
  }

  private replicasOf(serviceId: string): JobRecord[] {
    return [...this.ctx.live.records()].filter((r) => r.replicaOf?.serviceId === serviceId);
  }

  private view(svc: JobRecord): ServiceView {
    const spec = serviceSpecOf(svc);
    const nowS = this.ctx.clock.nowS();
    const t = this.serviceTimeS(svc, nowS);
    const replicas = this.replicasOf(svc.id);
    const sites = sloSites(this.ctx.network(), spec);
    const cap = replicaCapacity(spec);
    const hourly = (r: JobRecord) => {
      const e = r.placement?.estimate;
      return e && e.durationS > 0 ? ((e.computeCostCny + e.energyCostCny) / e.durationS) * 3600 : undefined;
    };
    const regions = spec.demand.map((d) => {
      const rps = svc.observedLoad?.[d.regionId] ?? demandAt(d, t);
      const mine = replicas.filter((r) => r.replicaOf?.regionId === d.regionId);
      const running = mine.filter((r) => r.state === 'running');
      const rtts = running.map(
        (r) => sites.get(d.regionId)?.find((x) => x.site.site.id === r.placement?.siteId)?.rttMs ?? Infinity,
      );
      const rho = running.length > 0 ? rps / (running.length * cap) : Infinity;
      const ttft = running.length > 0 && rho < 1 ? ttftMs(Math.max(...rtts), spec.inferenceMs, rho) : undefined;
      return {
        regionId: d.regionId,
        requestsPerS: rps,
        replicas: mine.length,
        running: running.length,
        ...(ttft !== undefined ? { ttftMs: ttft } : {}),
        withinSlo: rps === 0 || (ttft !== undefined && ttft <= spec.sloMs),
      };
    });
    const costCnyPerHour = replicas.filter((r) => r.state === 'running').reduce((n, r) => n + (hourly(r) ?? 0), 0);
    const rpsAll = regions.reduce((n, r) => n + r.requestsPerS, 0);
    return {
      id: svc.id,
      name: svc.spec.name,
      tenant: svc.spec.tenant,
      state: svc.state,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      guaranteed: spec.guaranteed,
      sloMs: spec.sloMs,
      targetPerReplica: spec.targetPerReplica,
      atS: t,
      regions,
      replicas: replicas.map((r) => {
        const cost = r.state === 'running' ? hourly(r) : undefined;
        return {
          id: r.id,
          regionId: r.replicaOf?.regionId ?? '',
          guaranteed: r.replicaOf?.guaranteed ?? false,
          state: r.state,
          ...(r.placement ? { siteId: r.placement.siteId } : {}),
          ...(cost !== undefined ? { costCnyPerHour: cost } : {}),
        };
      }),
      costCnyPerHour,
      ...(rpsAll > 0 ? { costCnyPerMillion: (costCnyPerHour / (rpsAll * 3600)) * 1e6 } : {}),
      ...(rpsAll > 0 && spec.tokensPerRequest
        ? { costCnyPerMillionTokens: (costCnyPerHour / (rpsAll * 3600 * spec.tokensPerRequest)) * 1e6 }
        : {}),
      ...(svc.slo && svc.slo.requests > 0 ? { sloAttainment: svc.slo.withinSlo / svc.slo.requests } : {}),
      requests: svc.slo?.requests ?? 0,
    };
  }
}

/** The engine's service from a serving job's record. */
export function serviceSpecOf(r: JobRecord): ServiceSpec {
  const s = r.spec.service;
  if (!s) throw new Error(`job ${r.id} is not a service`);
  return {
    ...s,
    id: r.id,
    tenant: r.spec.tenant,
    perReplica: r.spec.options,
    ...(r.spec.model !== undefined ? { model: r.spec.model } : {}),
  };
}
