import {
  autoscale,
  demandAt,
  type Network,
  nextScaleS,
  peakDemand,
  type ReplicaView,
  regionStep,
  replicaId,
  replicaJob,
  type ScalerMemory,
  type ServiceSpec,
  type SloSite,
  sloSites,
} from '@suanli/engine';
import type { Live, Run } from './run-state.ts';
import type { SimJob } from './sim-job.ts';

/**
 * How a run provisions its services: `autoscale` (Suanli: the autoscaler and placer shared with the
 * live service), `static` (peak replicas from the start at the site nearest each region: the
 * baseline), `one-site` (the autoscaler, every replica at the site nearest the largest region).
 */
export const SERVING_MODES = ['autoscale', 'static', 'one-site'] as const;
export type ServingMode = (typeof SERVING_MODES)[number];

export interface ServingInput {
  readonly services: readonly ServiceSpec[];
  readonly mode: ServingMode;
  /** Services run from the first event until this many seconds after it. */
  readonly durationS: number;
  /** How often the autoscaler runs and SLO attainment is measured. */
  readonly stepS: number;
}

/** What a service did over a run. */
export interface ServiceFigures {
  readonly serviceId: string;
  readonly requests: number;
  /** Share of requests answered within the SLO. */
  readonly sloAttainment: number;
  readonly replicaHours: number;
  readonly costCny: number;
  readonly energyKwh: number;
  readonly carbonKg: number;
  readonly costCnyPerMillion: number;
  readonly energyKwhPerMillion: number;
  readonly carbonKgPerMillion: number;
  readonly scaleUps: number;
  readonly scaleDowns: number;
  /** Requests outside the SLO, by why: no replica running for the region, too few, or too far. */
  readonly missed: { readonly noReplica: number; readonly overloaded: number; readonly tooFar: number };
}

export interface ServingSummary {
  readonly mode: ServingMode;
  readonly services: readonly ServiceFigures[];
  readonly requests: number;
  readonly sloAttainment: number;
  readonly costCnyPerMillion: number;
  readonly carbonKgPerMillion: number;
  readonly energyKwhPerMillion: number;
  readonly replicaHours: number;
}

/** What the run lends the driver: replicas go through the same queue, starts and stops as jobs. */
export interface ServingHost {
  /** Queues a replica (a new job: the engine places it as any other). */
  enqueue(live: Live, atS: number): void;
  /** Stops a replica: running, its run ends (and is booked); queued, it leaves the queue. */
  stop(live: Live, atS: number): void;
  arrived(sim: SimJob, estimateS: number): Live;
}

interface ServiceState {
  readonly spec: ServiceSpec;
  readonly sites: Map<string, SloSite[]>;
  readonly replicas: Map<string, { live: Live; view: ReplicaView }>;
  memory: ScalerMemory;
  requests: number;
  withinSlo: number;
  replicaS: number;
  costCny: number;
  energyKwh: number;
  carbonKg: number;
  ups: number;
  downs: number;
  noReplica: number;
  overloaded: number;
  tooFar: number;
}

/**
 * Online services in a simulated run: every step the autoscaler (the live service's) decides from
 * the demand curves; replicas are jobs queued, placed, preempted and stopped through the run's
 * ledger like any other; the step's requests count as within the SLO when the region's running
 * replicas take them below capacity and their expected time to first token meets the SLO.
 */
export class ServiceDriver {
  private readonly input: ServingInput;
  private readonly host: ServingHost;
  private readonly states: ServiceState[];
  private readonly byReplica = new Map<string, ServiceState>();
  private startS = Number.NaN;
  private lastS = Number.NaN;

  constructor(network: Network, input: ServingInput, host: ServingHost) {
    this.input = input;
    this.host = host;
    this.states = input.services.map((spec) => {
      const sites = sloSites(network, spec);
      if (input.mode !== 'autoscale') {
        // Baselines: one site per region (its nearest), or one site for all (the largest region's nearest).
        const largest = [...spec.demand].sort((a, b) => peakDemand(b) - peakDemand(a))[0]?.regionId;
        const only = input.mode === 'one-site' ? sites.get(largest ?? '')?.[0] : undefined;
        for (const [region, list] of sites) {
          const pick = only ? (list.find((x) => x.site === only.site) ?? only) : list[0];
          sites.set(region, pick ? [pick] : []);
        }
      }
      return {
        spec,
        sites,
        replicas: new Map(),
        memory: new Map(),
        requests: 0,
        withinSlo: 0,
        replicaS: 0,
        costCny: 0,
        energyKwh: 0,
        carbonKg: 0,
        ups: 0,
        downs: 0,
        noReplica: 0,
        overloaded: 0,
        tooFar: 0,
      };
    });
  }

  /** Whether this job is one of the services' replicas. */
  isReplica(jobId: string): boolean {
    return this.byReplica.has(jobId);
  }

  /** The end of the services: every replica stops. */
  get endS(): number {
    return this.startS + this.input.durationS;
  }

  /**
   * One step at `t`: the last step's requests are measured against the replicas that ran then,
   * then the autoscaler decides. Returns when the next step is due (undefined after the end).
   */
  step(t: number): number | undefined {
    if (!Number.isNaN(this.lastS)) this.measure(this.lastS, t);
    this.lastS = t;
    if (t >= this.endS) {
      for (const s of this.states) for (const { live } of s.replicas.values()) this.host.stop(live, t);
      return undefined;
    }
    for (const s of this.states) this.scale(s, t);
    return nextScaleS(t, this.input.stepS);
  }

  /** The services start with the run's first event; the autoscaler first runs at the next whole step. */
  start(t0: number): number {
    this.startS = t0;
    return Math.ceil(t0 / this.input.stepS) * this.input.stepS;
  }

  /** A replica's run ended (stopped, preempted, failed): its time, cost, energy and carbon are booked. */
  runEnded(live: Live, run: Run, ranS: number): void {
    const s = this.byReplica.get(live.sim.job.id);
    if (!s) return;
    const e = run.placement.estimate;
    const f = e.durationS > 0 ? ranS / e.durationS : 0;
    s.replicaS += ranS;
    s.costCny += (e.computeCostCny + e.energyCostCny) * f;
    s.energyKwh += e.energyKwh * f;
    s.carbonKg += e.carbonKg * f;
  }

  summary(): ServingSummary {
    const services = this.states.map((s): ServiceFigures => {
      const m = s.requests / 1e6;
      return {
        serviceId: s.spec.id,
        requests: s.requests,
        sloAttainment: s.requests > 0 ? s.withinSlo / s.requests : 1,
        replicaHours: s.replicaS / 3600,
        costCny: s.costCny,
        energyKwh: s.energyKwh,
        carbonKg: s.carbonKg,
        costCnyPerMillion: m > 0 ? s.costCny / m : 0,
        energyKwhPerMillion: m > 0 ? s.energyKwh / m : 0,
        carbonKgPerMillion: m > 0 ? s.carbonKg / m : 0,
        scaleUps: s.ups,
        scaleDowns: s.downs,
        missed: { noReplica: s.noReplica, overloaded: s.overloaded, tooFar: s.tooFar },
      };
    });
    const sum = (k: 'requests' | 'costCny' | 'carbonKg' | 'energyKwh' | 'replicaHours') =>
      services.reduce((n, x) => n + x[k], 0);
    const requests = sum('requests');
    const within = this.states.reduce((n, s) => n + s.withinSlo, 0);
    const m = requests / 1e6;
    return {
      mode: this.input.mode,
      services,
      requests,
      sloAttainment: requests > 0 ? within / requests : 1,
      costCnyPerMillion: m > 0 ? sum('costCny') / m : 0,
      carbonKgPerMillion: m > 0 ? sum('carbonKg') / m : 0,
      energyKwhPerMillion: m > 0 ? sum('energyKwh') / m : 0,
      replicaHours: sum('replicaHours'),
    };
  }

  private scale(s: ServiceState, t: number): void {
    const views = [...s.replicas.values()].map(({ live, view }) => ({ ...view, running: live.run !== undefined }));
    if (this.input.mode === 'static') {
      if (s.replicas.size > 0) return;
      // Peak provisioning: every region's peak at the planned load, from the start, never scaled.
      for (const region of s.spec.demand) {
        const n = Math.max(1, Math.ceil(peakDemand(region) / s.spec.targetPerReplica - 1e-9));
        for (let k = 0; k < n; k++) this.add(s, region.regionId, k < s.spec.guaranteed, t, s.replicas.size);
      }
      return;
    }
    const d = autoscale(s.spec, views, t, s.memory);
    s.memory = d.memory;
    d.up.forEach((u, k) => {
      this.add(s, u.regionId, u.guaranteed, t, k);
    });
    for (const id of d.retry) {
      const r = s.replicas.get(id);
      if (r && !r.live.run) this.host.enqueue(r.live, t);
    }
    for (const down of d.down) {
      const r = s.replicas.get(down.replicaId);
      if (!r) continue;
      s.replicas.delete(down.replicaId);
      s.downs++;
      this.host.stop(r.live, t);
    }
  }

  private add(s: ServiceState, regionId: string, guaranteed: boolean, t: number, k: number): void {
    const id = replicaId(s.spec.id, t, k);
    const job = replicaJob(s.spec, id, regionId, guaranteed, s.sites.get(regionId) ?? [], t, this.endS - t);
    const live = this.host.arrived({ job, sector: 'serving', user: s.spec.tenant }, job.durationS);
    s.replicas.set(id, { live, view: { id, regionId, guaranteed, running: false } });
    this.byReplica.set(id, s);
    s.ups++;
    this.host.enqueue(live, t);
  }

  /** Requests from `fromS` to `toS`, and those within the SLO, per region, with the replicas running then. */
  private measure(fromS: number, toS: number): void {
    const dt = toS - fromS;
    if (dt <= 0) return;
    const mid = (fromS + toS) / 2;
    for (const s of this.states) {
      for (const region of s.spec.demand) {
        const sites = s.sites.get(region.regionId) ?? [];
        const rtts = [...s.replicas.values()]
          .filter((r) => r.view.regionId === region.regionId && r.live.run)
          .map((r) => sites.find((x) => x.site.site.id === r.live.run?.placement.siteId)?.rttMs ?? Infinity);
        const step = regionStep(s.spec, demandAt(region, mid), rtts, dt);
        s.requests += step.requests;
        s.withinSlo += step.withinSlo;
        s.noReplica += step.noReplica;
        s.overloaded += step.overloaded;
        s.tooFar += step.tooFar;
      }
    }
  }
}
