import type { DecideOptions, DecideResult } from '../decide.ts';
import { decide } from '../decide.ts';
import { type LinkCut, linkKey, type NetworkHealth, type SiteOutage } from '../domain/health.ts';
import type { Job } from '../domain/job.ts';
import type { Network } from '../domain/network.ts';
import type { Placement } from '../domain/placement.ts';
import type { GridEvent, PowerLevelKind, PowerScheduleEntry } from '../domain/power.ts';
import type { Allocation, ExportRecord, HeldView, PowerState, Snapshot } from '../domain/snapshot.ts';
import { type PreparedNetwork, prepareNetwork } from '../framework/prepared-network.ts';
import type { Profile } from '../framework/profile.ts';
import { allocationKw, drawStartS, idleKwEach } from '../framework/running-draw.ts';
import { DEFAULT_MAX_PARK_S, SchedulingQueue } from '../framework/scheduling-queue.ts';
import { GOVERNANCE } from '../governance/enforce.ts';
import { exportsOf } from '../governance/exports.ts';
import { gauge, type NetworkGauge } from './gauge.ts';
import { TimeHeap } from './time-heap.ts';

export interface LedgerOptions {
  /** Cycles fall due at multiples of this many seconds (a scheduler's period); 0: at every event time. */
  readonly cycleS: number;
  /** How long a job told to wait stays out of the cycles at most (SchedulingQueue). */
  readonly maxParkS?: number;
  /** Count transfers abroad of personal information; default: when the profile enforces governance rules. */
  readonly countExports?: boolean;
}

/**
 * The network's state kept across cycles, updated by events: what is queued (with the scheduling
 * queue that decides which queued jobs a cycle looks at), what holds accelerators on each pool,
 * what each tenant holds, the transfers abroad, and when the next cycle is due. It produces what
 * `decide` needs without rebuilding it, so a cycle costs what changed, not the network's size.
 *
 * The live service feeds it from its store (and rebuilds it from the store at start and after a
 * leader change); the simulator feeds it from its event queue. Both run their cycles through
 * `runCycle`, so they decide the same on the same events. Pure: no I/O, no clock.
 */
export class Ledger {
  private currentNetwork: Network;
  readonly profile: Profile;
  private readonly net: PreparedNetwork;
  private readonly cycleS: number;
  private readonly queue: SchedulingQueue;
  private readonly queued = new Map<string, Job>();
  /** Allocations, swap-removed; `at` says where each job's is. */
  private readonly held: Allocation[] = [];
  private readonly at = new Map<string, number>();
  /**
   * Allocations by pool index, each list swap-removed (`inPool` says where). A cycle reads them
   * while it decides and copies a list before it changes one; the ledger changes them only between cycles.
   */
  private readonly byPool: Allocation[][];
  private readonly inPool = new Map<string, number>();
  private readonly busy: Int32Array;
  private readonly usage = new Map<string, Map<string, number>>();
  private readonly exportRecords: ExportRecord[] = [];
  private readonly due = new TimeHeap();
  private readonly countExports: boolean;
  private readonly outages = new Map<string, SiteOutage>();
  private readonly cuts = new Map<string, LinkCut>();
  private readonly healthNow: NetworkHealth = { sites: this.outages, links: this.cuts };
  /** Grid events not yet over, by id, and contracted windows added since the network file. */
  private readonly gridEvents = new Map<string, GridEvent>();
  private schedules: PowerScheduleEntry[] = [];
  private powerNow: PowerState | undefined;

  constructor(network: Network, profile: Profile, options: LedgerOptions) {
    this.currentNetwork = network;
    this.profile = profile;
    this.net = prepareNetwork(network);
    this.cycleS = options.cycleS;
    this.countExports = options.countExports ?? profile.siteFilters.some((f) => f.name === GOVERNANCE);
    this.queue = new SchedulingQueue(network, profile, { maxParkS: options.maxParkS ?? DEFAULT_MAX_PARK_S });
    this.byPool = this.net.pools.map(() => []);
    this.busy = new Int32Array(this.net.pools.length);
  }

  get network(): Network {
    return this.currentNetwork;
  }

  /**
   * The same network with other facts (a model's new fairness audit, a catalog entry): its sites and
   * pools must be the same, since allocations and the queue refer to them.
   */
  replaceNetwork(network: Network): void {
    const pools = (n: Network) => n.sites.flatMap((s) => s.pools.map((p) => `${p.id}:${p.count}`)).join(',');
    if (pools(network) !== pools(this.currentNetwork)) throw new Error('the ledger keeps its sites and pools');
    this.currentNetwork = network;
  }

  /**
   * A job to decide: new, or back in the queue from outside a cycle. A cycle falls due: now, or
   * for a job that may not start yet (a retry's back-off, `notBeforeS`), then.
   */
  enqueue(job: Job, atS: number): void {
    this.queued.set(job.id, job);
    if (job.notBeforeS !== undefined && job.notBeforeS > atS) {
      this.queue.addUntil(job, job.notBeforeS);
      this.requestCycle(job.notBeforeS);
      return;
    }
    this.queue.add(job);
    this.requestCycle(atS);
  }

  /**
   * While a cycle's decisions are carried out: a job stopped to make room goes back to the queue
   * as `requeued` (what is left of it to do, the service it attained). The cycle after it is
   * requested by `afterCycle`.
   */
  preempt(jobId: string, requeued: Job): Allocation | undefined {
    const a = this.free(jobId);
    this.queued.set(requeued.id, requeued);
    this.queue.add(requeued);
    return a;
  }

  /** A queued job leaves the queue without starting (cancelled, dropped as unresolvable). */
  dequeue(jobId: string): Job | undefined {
    const job = this.queued.get(jobId);
    this.queued.delete(jobId);
    this.queue.remove(jobId);
    return job;
  }

  /**
   * A job holds accelerators (placed, or started: a later call for the same job replaces its
   * allocation). It leaves the queue.
   */
  hold(a: Allocation): void {
    this.queued.delete(a.jobId);
    this.queue.remove(a.jobId);
    const i = this.at.get(a.jobId);
    if (i !== undefined) {
      const old = this.held[i] as Allocation;
      this.held[i] = a;
      this.unindex(old);
      this.index(a);
      return;
    }
    this.at.set(a.jobId, this.held.length);
    this.held.push(a);
    this.index(a);
  }

  /**
   * A job stops holding its accelerators (finished, failed, cancelled, or preempted: then its
   * driver enqueues it again with what is left to do). Parked jobs that could use them come back,
   * and a cycle falls due. Returns the allocation it had.
   */
  release(jobId: string, atS: number): Allocation | undefined {
    const a = this.free(jobId);
    if (a) this.requestCycle(atS);
    return a;
  }

  private free(jobId: string): Allocation | undefined {
    const i = this.at.get(jobId);
    if (i === undefined) return undefined;
    const a = this.held[i] as Allocation;
    const last = this.held.pop() as Allocation;
    this.at.delete(jobId);
    if (last !== a) {
      this.held[i] = last;
      this.at.set(last.jobId, i);
    }
    this.unindex(a);
    const pool = this.net.poolById.get(a.poolId);
    if (pool) this.queue.freed(pool.pool.id, pool.pool.count - (this.busy[pool.index] ?? 0));
    return a;
  }

  /**
   * A site goes out of service (its backend stopped answering, or the site is out): from the next
   * cycle no placement goes there and data held only there cannot be read. The driver fails the
   * runs there by their recovery policies. False when it was out already.
   */
  siteOut(outage: SiteOutage, atS: number): boolean {
    if (this.outages.has(outage.siteId)) return false;
    this.outages.set(outage.siteId, outage);
    this.healthChanged(atS);
    return true;
  }

  /** A site is back in service: jobs waiting for it come back and a cycle falls due. False when it was in service. */
  siteBack(siteId: string, atS: number): boolean {
    if (!this.outages.delete(siteId)) return false;
    this.healthChanged(atS);
    return true;
  }

  /** A link is cut: no data is staged over it. False when it was cut already. */
  linkCut(cut: LinkCut, atS: number): boolean {
    const key = linkKey(cut.from, cut.to);
    if (this.cuts.has(key)) return false;
    this.cuts.set(key, cut);
    this.healthChanged(atS);
    return true;
  }

  /** A cut link is back. False when it was not cut. */
  linkBack(from: string, to: string, atS: number): boolean {
    if (!this.cuts.delete(linkKey(from, to))) return false;
    this.healthChanged(atS);
    return true;
  }

  /**
   * A grid event: from its start to its end no cycle lets its level draw over its ceiling. Cycles
   * fall due now, at its start and at its end (when the jobs it held back are decided again).
   * False when the ledger knew it already.
   */
  gridEvent(event: GridEvent, atS: number): boolean {
    if (this.gridEvents.has(event.id)) return false;
    this.gridEvents.set(event.id, event);
    this.powerNow = undefined;
    this.healthChanged(atS);
    this.requestCycle(Math.max(atS, event.startS));
    this.requestCycle(Math.max(atS, event.endS));
    return true;
  }

  /** A contracted window added to a level's budget. False when it is known already. */
  powerScheduled(entry: PowerScheduleEntry, atS: number): boolean {
    const same = (w: PowerScheduleEntry) =>
      w.level === entry.level && w.target === entry.target && w.fromS === entry.fromS && w.toS === entry.toS;
    if (this.schedules.some(same)) return false;
    this.schedules.push(entry);
    this.powerNow = undefined;
    this.healthChanged(atS);
    this.requestCycle(Math.max(atS, entry.fromS));
    this.requestCycle(Math.max(atS, entry.toS));
    return true;
  }

  /** Grid events not yet over, and windows added to budgets (none: undefined). */
  get power(): PowerState | undefined {
    if (this.gridEvents.size === 0 && this.schedules.length === 0) return undefined;
    this.powerNow ??= { events: [...this.gridEvents.values()], schedules: this.schedules };
    return this.powerNow;
  }

  /** Drops the grid events and windows over by `nowS`; the jobs they held back are decided again. */
  private prunePower(nowS: number): void {
    let changed = false;
    for (const [id, e] of this.gridEvents) {
      if (e.endS <= nowS) {
        this.gridEvents.delete(id);
        changed = true;
      }
    }
    const left = this.schedules.filter((w) => w.toS > nowS);
    if (left.length !== this.schedules.length) {
      this.schedules = left;
      changed = true;
    }
    if (changed) {
      this.powerNow = undefined;
      this.queue.wakeAll();
    }
  }

  /** Sites and links out of service now. */
  get health(): NetworkHealth {
    return this.healthNow;
  }

  /** What jobs wait for changed: the parked ones are decided again at the next cycle. */
  private healthChanged(atS: number): void {
    this.queue.wakeAll();
    this.requestCycle(atS);
  }

  /** A transfer abroad on record (read back from a store): counted once. */
  exported(record: ExportRecord): void {
    const same = (e: ExportRecord) =>
      e.legalEntity === record.legalEntity && e.year === record.year && e.datasetChecksum === record.datasetChecksum;
    if (!this.exportRecords.some(same)) this.exportRecords.push(record);
  }

  /**
   * A placement was carried out: the transfers abroad it makes are counted (when the ledger counts
   * them) and returned, for the driver to record.
   */
  placed(job: Job, placement: Placement, atS: number): ExportRecord[] {
    if (!this.countExports) return [];
    const made = exportsOf(job, placement, this.network, atS, this.exportRecords);
    this.exportRecords.push(...made);
    return made;
  }

  /**
   * A cycle is wanted at `atS` (rounded up to the cadence). Returns the time it falls due when it
   * was not already wanted then, so a driver with an event queue can schedule it once.
   */
  requestCycle(atS: number): number | undefined {
    const dueS = this.cycleS > 0 ? Math.ceil(atS / this.cycleS) * this.cycleS : atS;
    return this.due.add(dueS) ? dueS : undefined;
  }

  /** When the next cycle is due (Infinity when nothing is wanted). */
  nextCycleS(): number {
    return this.due.peek();
  }

  /**
   * The input of the cycle at `nowS`: the queued jobs due for a decision (SchedulingQueue), every
   * allocation and the ledger's views of them. Every cycle wanted by `nowS` counts as run.
   */
  snapshot(nowS: number): Snapshot {
    this.due.popUntil(nowS);
    this.prunePower(nowS);
    const power = this.power;
    return {
      network: this.network,
      allocations: this.held,
      queue: this.queue.take(nowS),
      exports: this.exportRecords,
      held: this.view(),
      ...(this.outages.size > 0 || this.cuts.size > 0 ? { health: this.healthNow } : {}),
      ...(power ? { power } : {}),
    };
  }

  /** The network's state without taking anything from the queue: for quotes and dry runs. */
  peek(): Snapshot {
    const power = this.power;
    return {
      network: this.network,
      allocations: this.held,
      queue: [...this.queued.values()],
      exports: this.exportRecords,
      held: this.view(),
      ...(this.outages.size > 0 || this.cuts.size > 0 ? { health: this.healthNow } : {}),
      ...(power ? { power } : {}),
    };
  }

  /**
   * After a cycle's decisions are carried out: jobs told to wait are parked, and jobs no site can
   * ever run leave the queue (their decision says why; a rebuild of the ledger looks at them again);
   * a reserved start and the park deadlines become due cycles; after preemptions, one more cycle
   * looks again (the victims freed more than the preempting jobs took).
   */
  afterCycle(result: DecideResult, nowS: number): void {
    this.queue.afterCycle(result.decisions, nowS);
    let preempted = false;
    for (const d of result.decisions) {
      if (d.kind === 'reserve' && d.placement.estimate.startS > nowS) this.requestCycle(d.placement.estimate.startS);
      if (d.kind === 'place' && d.preempts.length > 0) preempted = true;
      if (d.kind === 'wait' && d.unresolvable) this.dequeue(d.jobId);
    }
    const wakeS = this.queue.nextWakeS();
    if (Number.isFinite(wakeS)) this.requestCycle(wakeS);
    if (preempted) this.requestCycle(nowS + Math.max(1, this.cycleS));
  }

  get queueLength(): number {
    return this.queued.size;
  }

  get parkedCount(): number {
    return this.queue.parkedCount;
  }

  queuedJob(jobId: string): Job | undefined {
    return this.queued.get(jobId);
  }

  queuedJobs(): IterableIterator<Job> {
    return this.queued.values();
  }

  allocation(jobId: string): Allocation | undefined {
    const i = this.at.get(jobId);
    return i === undefined ? undefined : this.held[i];
  }

  get allocations(): readonly Allocation[] {
    return this.held;
  }

  /** What the network draws, costs and emits at `atS` with what the ledger holds now. */
  gauge(atS: number): NetworkGauge {
    return gauge(this.net, this.held, this.queued.size, atS);
  }

  /**
   * What a power level draws at `atS` with what the ledger holds: its fixed load and the runs
   * beneath it that have started (under their caps). 0 for an unknown level.
   */
  levelLoadKw(kind: PowerLevelKind, id: string, atS: number): number {
    const level = this.net.levelByKey.get(`${kind}:${id}`);
    if (!level) return 0;
    let kw = level.fixedKw;
    for (const pool of this.net.levelPools[level.index] ?? []) {
      for (const a of this.byPool[pool.index] ?? []) if (drawStartS(a) <= atS) kw += allocationKw(pool, a, atS);
    }
    return kw - this.parkedKw(kind, id, atS);
  }

  /** The idle draw (kW) of the accelerators beneath a level that grid events powered down at `atS`. */
  parkedKw(kind: PowerLevelKind, id: string, atS: number): number {
    const level = this.net.levelByKey.get(`${kind}:${id}`);
    if (!level) return 0;
    const pools = this.net.levelPools[level.index] ?? [];
    let kw = 0;
    for (const e of this.gridEvents.values()) {
      if (atS < e.startS || atS >= e.endS) continue;
      for (const p of e.parked ?? []) {
        const pool = this.net.poolById.get(p.poolId);
        if (pool && pools.includes(pool)) kw += p.count * idleKwEach(pool);
      }
    }
    return kw;
  }

  /** Accelerators held on a pool. */
  usedOn(poolId: string): number {
    const pool = this.net.poolById.get(poolId);
    return pool ? (this.busy[pool.index] ?? 0) : 0;
  }

  get exports(): readonly ExportRecord[] {
    return this.exportRecords;
  }

  private view(): HeldView {
    return { byPool: this.byPool, usage: this.usage };
  }

  private index(a: Allocation): void {
    const pool = this.net.poolById.get(a.poolId);
    if (pool) {
      this.busy[pool.index] = (this.busy[pool.index] ?? 0) + a.count;
      const list = this.byPool[pool.index] as Allocation[];
      this.inPool.set(a.jobId, list.length);
      list.push(a);
    }
    let m = this.usage.get(a.tenant);
    if (!m) {
      m = new Map();
      this.usage.set(a.tenant, m);
    }
    m.set(a.accelerator, (m.get(a.accelerator) ?? 0) + a.count);
  }

  private unindex(a: Allocation): void {
    const pool = this.net.poolById.get(a.poolId);
    if (pool) {
      this.busy[pool.index] = (this.busy[pool.index] ?? 0) - a.count;
      const list = this.byPool[pool.index] as Allocation[];
      const i = this.inPool.get(a.jobId);
      if (i !== undefined && list[i] === a) {
        const last = list.pop() as Allocation;
        if (last !== a) {
          list[i] = last;
          this.inPool.set(last.jobId, i);
        }
      }
      this.inPool.delete(a.jobId);
    }
    const m = this.usage.get(a.tenant);
    if (m) {
      const left = (m.get(a.accelerator) ?? 0) - a.count;
      if (left === 0) m.delete(a.accelerator);
      else m.set(a.accelerator, left);
      if (m.size === 0) this.usage.delete(a.tenant);
    }
  }
}

const NOTHING: DecideResult = { decisions: [] };

/**
 * One decision cycle, the same for the live service and the simulator: the ledger says which
 * queued jobs to decide, the engine decides, the driver carries out the decisions (placements:
 * `hold`; preemptions: `preempt`) and records them its way, then the ledger parks those told to
 * wait and notes the cycles to come. Undefined when no queued job was due.
 */
export function runCycle(
  ledger: Ledger,
  nowS: number,
  options: DecideOptions,
  carryOut: (result: DecideResult) => void,
): DecideResult | undefined {
  const snapshot = ledger.snapshot(nowS);
  if (snapshot.queue.length === 0) {
    ledger.afterCycle(NOTHING, nowS);
    return undefined;
  }
  const result = decide(snapshot, nowS, { profile: ledger.profile, ...options });
  carryOut(result);
  ledger.afterCycle(result, nowS);
  return result;
}

/** `runCycle` for a driver that records decisions asynchronously (the live service's store). */
export async function runCycleAsync(
  ledger: Ledger,
  nowS: number,
  options: DecideOptions,
  carryOut: (result: DecideResult) => Promise<void>,
): Promise<DecideResult | undefined> {
  const snapshot = ledger.snapshot(nowS);
  if (snapshot.queue.length === 0) {
    ledger.afterCycle(NOTHING, nowS);
    return undefined;
  }
  const result = decide(snapshot, nowS, { profile: ledger.profile, ...options });
  await carryOut(result);
  ledger.afterCycle(result, nowS);
  return result;
}
