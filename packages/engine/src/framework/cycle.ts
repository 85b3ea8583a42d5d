import { type LinkCut, linkKey, type SiteOutage } from '../domain/health.ts';
import type { Job } from '../domain/job.ts';
import type { Allocation, ExportRecord, NodeShare, Snapshot } from '../domain/snapshot.ts';
import { LevelPower } from './level-power.ts';
import { type NodeHold, PoolNodes } from './nodes.ts';
import { type PreparedNetwork, type PreparedPool, type PreparedSite, prepareNetwork } from './prepared-network.ts';
import { expectedEndS } from './running-draw.ts';
import { Scratch } from './scratch.ts';
import { Timeline } from './timeline.ts';

/**
 * For queue orders that running jobs take part in (shortest remaining time, least attained
 * service): a number per job, smaller served first, and the number a running allocation would have
 * if it were queued now. The preempt-by-order post-filter stops running jobs that rank behind a queued one.
 */
export interface QueueRank {
  job(job: Job, cycle: Cycle): number;
  running(a: Allocation, cycle: Cycle): number;
}

/** What a cycle knows of the profile's queue order (its queue-sort plug-in): its name and rank. */
export interface QueueOrder {
  readonly name: string;
  readonly rank?: QueueRank;
}

/**
 * The state of one decision cycle: free accelerators per pool and free power per site over time,
 * what each tenant uses, the allocations that preemption may stop, and plug-ins' own state. It
 * starts from the snapshot and records every hold made in the cycle (placements, reservations),
 * so jobs decided later see what earlier ones took. Only a `Plan` changes it, so every change can
 * be undone.
 */
export class Cycle {
  readonly net: PreparedNetwork;
  readonly nowS: number;
  /** Transfers abroad so far (governance counters). */
  readonly exports: readonly ExportRecord[];
  private readonly capacity: (Timeline | undefined)[];
  /** Free power under every level of the budget tree, and accelerators grid events power down. */
  readonly power: LevelPower;
  /** Running allocations by pool index; a list is replaced, never changed in place (it may be the ledger's). */
  private readonly running: (readonly Allocation[] | undefined)[];
  private readonly heldUsage: ReadonlyMap<string, ReadonlyMap<string, number>> | undefined;
  private usageByTenant: Map<string, Map<string, number>> | undefined;
  private readonly pluginState = new Map<string, unknown>();
  /** Each site's outage by site index (undefined: in service); empty when all are. */
  private readonly outages: (SiteOutage | undefined)[] = [];
  private readonly cuts: ReadonlyMap<string, LinkCut> | undefined;

  constructor(snapshot: Snapshot, nowS: number, queueSort?: QueueOrder) {
    // Prepared once per network object: the ledger prepares its network when it is set, and every cycle finds it.
    this.net = prepareNetwork(snapshot.network);
    this.exports = snapshot.exports ?? [];
    this.nowS = nowS;
    this.queueSort = queueSort;
    this.queue = snapshot.queue;
    this.capacity = new Array<Timeline | undefined>(this.net.pools.length);
    if (snapshot.held) {
      // A ledger keeps them indexed: nothing to count.
      this.running = [...snapshot.held.byPool];
      this.heldUsage = snapshot.held.usage;
    } else {
      const running: Allocation[][] = [];
      for (const a of snapshot.allocations) {
        const pool = this.net.poolById.get(a.poolId);
        if (!pool) continue; // a pool removed from the network: nothing to place on
        const list = running[pool.index];
        if (list) list.push(a);
        else running[pool.index] = [a];
      }
      this.running = running;
      this.heldUsage = undefined;
    }
    this.power = new LevelPower(this.net, nowS, this.running, snapshot.power);
    // Timelines of the pools with allocations are built on first use.
    this.built = new Uint8Array(this.net.pools.length);
    this.freeNowCache = new Float64Array(this.net.pools.length).fill(Number.NaN);
    this.nodeViews = new Array<PoolNodes | undefined>(this.net.pools.length);
    const health = snapshot.health;
    if (health) {
      for (const o of health.sites.values()) {
        const site = this.net.siteById.get(o.siteId);
        if (site) this.outages[site.index] = o;
      }
      if (health.links.size > 0) this.cuts = health.links;
    }
  }

  /** The site's outage, if it is out of service. */
  outageOf(site: PreparedSite): SiteOutage | undefined {
    return this.outages[site.index];
  }

  /** The cut on the link between two sites, if it is cut. */
  linkCut(a: PreparedSite, b: PreparedSite): LinkCut | undefined {
    return this.cuts?.get(linkKey(a.site.id, b.site.id));
  }

  /** Pools' nodes (pools with a node size), built on first use. */
  private readonly nodeViews: (PoolNodes | undefined)[];

  /**
   * The nodes of a pool with a node size, as the running allocations hold them (one placed before
   * the pool had a node size is packed again: best fit as one member, else first fit); undefined
   * for an undivided pool.
   */
  nodesOf(pool: PreparedPool): PoolNodes | undefined {
    const size = pool.pool.nodeSize;
    if (!size) return undefined;
    let view = this.nodeViews[pool.index];
    if (!view) {
      view = new PoolNodes(pool.pool.count, size);
      this.nodeViews[pool.index] = view;
      const held: NodeHold[] = [];
      const unassigned: Allocation[] = [];
      const occ = view.occupancy;
      const seen = new Set<string>();
      for (const a of this.running[pool.index] ?? []) {
        if (seen.has(a.jobId)) continue; // one hold per job
        seen.add(a.jobId);
        // Shares that add up to the allocation and fit as they are; any other is packed again.
        if (a.nodes && a.nodes.reduce((n, s) => n + s.count, 0) === a.count && occ.canTake(a.nodes)) {
          occ.take(a.nodes);
          held.push({ key: a.jobId, endS: expectedEndS(a, this.nowS), shares: a.nodes });
        } else unassigned.push(a);
      }
      for (const a of unassigned) {
        const shares = occ.pack(a.count);
        if (!shares) continue;
        occ.take(shares);
        held.push({ key: a.jobId, endS: expectedEndS(a, this.nowS), shares });
      }
      // Taken above one by one (each must fit what is left), recorded at once.
      view.recordTaken(held);
    }
    return view;
  }

  /** Which timelines are built: pools first, then sites. */
  private readonly built: Uint8Array;

  /** The pool's free accelerators over time; undefined while nothing is held on it. */
  private capacityOf(pool: PreparedPool): Timeline | undefined {
    const i = pool.index;
    if (this.built[i] === 0) {
      this.built[i] = 1;
      const held = this.running[i];
      const parked = this.power.parkedOn(i);
      if ((held && held.length > 0) || parked) {
        const changes: number[] = [];
        // A job handed over but still staging its data holds its accelerators from its start.
        for (const a of held ?? []) changes.push(Math.max(a.startS, this.nowS), expectedEndS(a, this.nowS), -a.count);
        for (const p of parked ?? []) changes.push(p.fromS, p.toS, -p.count);
        this.capacity[i] = Timeline.bulk(this.nowS, pool.pool.count, changes);
      }
    }
    return this.capacity[i];
  }

  /** The profile's queue order, for plug-ins that compare queued jobs with running ones. */
  readonly queueSort: QueueOrder | undefined;
  /** The jobs this cycle decides. */
  private readonly queue: readonly Job[];

  /** Tenants competing now: those holding accelerators when the cycle began, and those with a job in its queue. */
  activeTenants(): ReadonlySet<string> {
    const out = new Set<string>();
    for (const j of this.queue) out.add(j.tenant);
    const held = this.heldUsage ?? this.usage();
    for (const [tenant, byType] of held) {
      for (const n of byType.values()) {
        if (n > 0) {
          out.add(tenant);
          break;
        }
      }
    }
    return out;
  }

  private scratchBuffers: Scratch | undefined;

  /** Buffers the runner reuses from one job's evaluation to the next within this cycle. */
  get scratch(): Scratch {
    this.scratchBuffers ??= new Scratch();
    return this.scratchBuffers;
  }

  /** Accelerators free in the pool at time t. */
  freeAt(pool: PreparedPool, t: number): number {
    return this.capacityOf(pool)?.valueAt(t) ?? pool.pool.count;
  }

  /** Accelerators free in the pool now: counted from the allocations, without building the pool's timeline. */
  freeNow(pool: PreparedPool): number {
    const i = pool.index;
    if (this.built[i] === 1) return this.capacity[i]?.valueAt(this.nowS) ?? pool.pool.count;
    let free = this.freeNowCache[i] as number;
    if (Number.isNaN(free)) {
      free = pool.pool.count;
      for (const a of this.running[i] ?? []) if (a.startS <= this.nowS) free -= a.count;
      for (const p of this.power.parkedOn(i) ?? []) if (p.fromS <= this.nowS && this.nowS < p.toS) free -= p.count;
      this.freeNowCache[i] = free;
    }
    return free;
  }

  private readonly freeNowCache: Float64Array;

  /** What made the last `earliestStart` later than its `fromS`. */
  boundBy: BoundBy = 'none';

  /**
   * The earliest start ≥ fromS at which `count` accelerators and `kw` of power stay free for the
   * whole run, and, on a pool with a node size, its members of `perMember` accelerators fit on the
   * nodes; Infinity if never. `boundBy` then says which (if any) made it later.
   */
  earliestStart(
    pool: PreparedPool,
    count: number,
    durationS: number,
    kw: number,
    fromS: number,
    perMember = count,
  ): number {
    const cap = this.capacityOf(pool);
    const capFree = pool.pool.count;
    let t = fromS;
    let boundBy: BoundBy = 'none';
    const nodes = this.nodesOf(pool);
    if (nodes) {
      const ready = nodes.readyS(perMember, Math.max(1, Math.round(count / perMember)), this.nowS);
      // Nodes are held from the placement, before any staging: one that fits only later moves
      // the placement, and the staging with it.
      const shifted = ready > this.nowS ? ready + Math.max(0, fromS - this.nowS) : ready;
      if (shifted > t) {
        t = shifted;
        boundBy = 'nodes';
      }
      if (!Number.isFinite(t)) {
        this.boundBy = 'nodes';
        return t;
      }
    }
    for (let round = 0; round < 64; round++) {
      const c = cap ? cap.earliestFit(t, durationS, count) : count <= capFree ? t : Number.POSITIVE_INFINITY;
      if (c > t) boundBy = 'capacity';
      if (!Number.isFinite(c)) {
        this.boundBy = 'capacity';
        return c;
      }
      // Every level from the pool up must leave the power, all at once.
      const p = this.power.earliestFit(pool, c, durationS, kw);
      if (p > c) boundBy = 'power';
      if (!Number.isFinite(p)) {
        this.boundBy = 'power';
        return p;
      }
      if (p === c) {
        this.boundBy = boundBy;
        return p;
      }
      t = p;
    }
    this.boundBy = boundBy;
    return Number.POSITIVE_INFINITY;
  }

  /**
   * Whether `count` accelerators and `kw` stay free over [startS, startS + durationS) (and, on a
   * pool with a node size, members of `perMember` fit on its nodes by then).
   */
  fitsAt(pool: PreparedPool, count: number, startS: number, durationS: number, kw: number, perMember = count): boolean {
    const endS = startS + durationS;
    const nodes = this.nodesOf(pool);
    if (nodes && nodes.readyS(perMember, Math.max(1, Math.round(count / perMember)), this.nowS) > startS) return false;
    const cap = this.capacityOf(pool);
    const capOk = cap ? cap.minOver(startS, endS) >= count : count <= pool.pool.count;
    if (!capOk) return false;
    return this.power.fits(pool, startS, endS, kw);
  }

  /** The fewest accelerators free in the pool over [fromS, toS). */
  minFree(pool: PreparedPool, fromS: number, toS: number): number {
    return this.capacityOf(pool)?.minOver(fromS, toS) ?? pool.pool.count;
  }

  /** Every running allocation not preempted in this cycle. */
  allAllocations(): Allocation[] {
    const out: Allocation[] = [];
    for (const list of this.running) if (list) out.push(...list);
    return out;
  }

  /** Running allocations on a pool that have not been preempted in this cycle. */
  allocationsOn(pool: PreparedPool): readonly Allocation[] {
    return this.running[pool.index] ?? [];
  }

  /** Accelerators of each type a tenant holds, placed in this cycle included. */
  usageOf(tenant: string): ReadonlyMap<string, number> {
    if (this.heldUsage) return this.changedUsage.get(tenant) ?? this.heldUsage.get(tenant) ?? EMPTY;
    return this.usage().get(tenant) ?? EMPTY;
  }

  /** With a ledger's counts: the tenants whose usage this cycle changed, copied on their first change. */
  private readonly changedUsage = new Map<string, Map<string, number>>();

  /**
   * A plug-in's own per-cycle state (Kubernetes CycleState), created on first use. Keyed by the
   * plug-in's name, so plug-ins cannot read each other's state by accident.
   */
  state<T>(plugin: string, init: () => T): T {
    let s = this.pluginState.get(plugin) as T | undefined;
    if (s === undefined) {
      s = init();
      this.pluginState.set(plugin, s);
    }
    return s;
  }

  /** Changes free accelerators and power over [fromS, toS). Used by `Plan` only. */
  adjust(pool: PreparedPool, count: number, fromS: number, toS: number, kw: number): void {
    if (count !== 0) {
      let cap = this.capacityOf(pool);
      if (!cap) {
        cap = new Timeline(this.nowS, pool.pool.count);
        this.capacity[pool.index] = cap;
      }
      cap.add(fromS, toS, count);
    }
    if (kw !== 0) this.power.add(pool, fromS, toS, kw);
  }

  /** Accelerators each tenant holds, by type: counted from the running allocations on first use (without a ledger). */
  private usage(): Map<string, Map<string, number>> {
    let usage = this.usageByTenant;
    if (!usage) {
      usage = new Map();
      this.usageByTenant = usage;
      for (const list of this.running) {
        for (const a of list ?? []) {
          let m = usage.get(a.tenant);
          if (!m) {
            m = new Map();
            usage.set(a.tenant, m);
          }
          m.set(a.accelerator, (m.get(a.accelerator) ?? 0) + a.count);
        }
      }
      const pending = this.pendingUsage;
      this.pendingUsage = [];
      for (const p of pending) this.addUsage(p.tenant, p.accelerator, p.count);
    }
    return usage;
  }

  private pendingUsage: { tenant: string; accelerator: string; count: number }[] = [];

  /** Changes with every change of usage: caches of figures derived from usage compare it. */
  usageVersion = 0;

  /** Adds to a tenant's usage of a type. Used by `Plan` only. */
  addUsage(tenant: string, accelerator: string, count: number): void {
    this.usageVersion++;
    if (this.heldUsage) {
      // The ledger's counts are read in place; a tenant's are copied the first time this cycle changes them.
      let m = this.changedUsage.get(tenant);
      if (!m) {
        m = new Map(this.heldUsage.get(tenant) ?? EMPTY);
        this.changedUsage.set(tenant, m);
      }
      m.set(accelerator, (m.get(accelerator) ?? 0) + count);
      return;
    }
    // Not counted yet: remember the change for when (if ever) a plug-in asks.
    if (!this.usageByTenant) {
      this.pendingUsage.push({ tenant, accelerator, count });
      return;
    }
    const usage = this.usageByTenant;
    let m = usage.get(tenant);
    if (!m) {
      m = new Map();
      usage.set(tenant, m);
    }
    m.set(accelerator, (m.get(accelerator) ?? 0) + count);
  }

  /** Holds nodes' accelerators for a job until endS. Used by `Plan` only. */
  holdNodes(pool: PreparedPool, jobId: string, endS: number, shares: readonly NodeShare[]): void {
    this.nodesOf(pool)?.hold(jobId, endS, shares);
  }

  /** Gives back the nodes' accelerators a job holds; returns what it held. Used by `Plan` only. */
  releaseNodes(pool: PreparedPool, jobId: string): { endS: number; shares: readonly NodeShare[] } | undefined {
    return this.nodesOf(pool)?.release(jobId);
  }

  /**
   * Puts back a pool's list of running allocations as it was (undo of `setRunning`): the same list
   * object, so what plug-ins keep per list (rankings) stays valid. Used by `Plan` only.
   */
  restoreRunning(pool: PreparedPool, list: readonly Allocation[]): void {
    this.freeNowCache[pool.index] = Number.NaN;
    this.running[pool.index] = list;
  }

  /** Takes an allocation out of the running set (preemption), or puts it back. Used by `Plan` only. */
  setRunning(pool: PreparedPool, a: Allocation, running: boolean): void {
    this.freeNowCache[pool.index] = Number.NaN;
    const list = this.running[pool.index] ?? [];
    if (running) {
      if (!list.includes(a)) this.running[pool.index] = [...list, a];
    } else {
      this.running[pool.index] = list.filter((x) => x !== a);
    }
  }
}

const EMPTY: ReadonlyMap<string, number> = new Map();

/** What made a start later than asked: busy accelerators, the site's power cap, or nodes' shape. */
export type BoundBy = 'none' | 'capacity' | 'power' | 'nodes';

/** BoundBy as a number (columns of options keep numbers), and back. */
export const BOUND_CODE: Readonly<Record<BoundBy, number>> = { none: 0, capacity: 1, power: 2, nodes: 3 };
export const BOUNDS: readonly BoundBy[] = ['none', 'capacity', 'power', 'nodes'];
