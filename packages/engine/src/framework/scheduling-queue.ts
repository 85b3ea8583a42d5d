import type { Job } from '../domain/job.ts';
import type { Network } from '../domain/network.ts';
import type { Decision } from '../domain/placement.ts';
import { Cycle } from './cycle.ts';
import { type PreparedNetwork, type PreparedPool, prepareNetwork } from './prepared-network.ts';
import type { Profile } from './profile.ts';

export interface SchedulingQueueOptions {
  /**
   * A parked job comes back after this long at most the first time it is parked (Kubernetes parks
   * unschedulable pods for 5 minutes); each time it is parked again without having started, twice
   * as long, up to `PARK_BACKOFF` times this.
   */
  readonly maxParkS: number;
}

export const DEFAULT_MAX_PARK_S = 300;

/** The longest park is this many times `maxParkS` (300 s, 600 s, 1,200 s, 2,400 s, then 4,800 s). */
export const PARK_BACKOFF = 16;

interface Parked {
  readonly job: Job;
  readonly token: number;
  /** How many pool lists it is in. */
  readonly pools: number;
}

interface PoolEntry {
  readonly job: Job;
  /** Accelerators the job needs on this pool. */
  readonly need: number;
  readonly token: number;
}

/**
 * Which queued jobs a decision cycle looks at: Kubernetes' scheduling queue and Kueue's
 * requeueing, for the same reason: a long queue of jobs that cannot start should not be decided
 * again in every cycle. A job the engine told to wait is parked, out of the following cycles,
 * until something happens that may let it start:
 *
 * - accelerators are freed on a pool it could use: parked jobs come back in queue order while
 *   the freed accelerators last, so a thousand parked jobs do not all come back for one freed GPU;
 * - `maxParkS` passes (twice as long each time the job is parked again, up to `PARK_BACKOFF`
 *   times, 80 minutes by default): prices, carbon, power, quota and preemption chances change with time, but a job that
 *   has waited long waits for what is freed, and re-deciding it every few minutes would make a
 *   long queue cost the square of its length.
 *
 * A job that waits by choice — its best option starts later because those hours are cheaper or
 * greener (`chosenStartS`) — is parked until that start alone: nothing freed makes an earlier start
 * better, and the hourly prices it chose by are known in advance.
 *
 * A job holding a reservation is not parked (its hold is renewed in every cycle), nor a new or
 * requeued one. The service and the simulator keep one per network and profile, and tell it what
 * they start, stop and free; `decide` itself stays a pure function of its snapshot.
 */
export class SchedulingQueue {
  private readonly net: PreparedNetwork;
  private readonly order: (a: Job, b: Job) => number;
  private readonly maxParkS: number;
  private readonly active = new Map<string, Job>();
  private readonly parked = new Map<string, Parked>();
  /**
   * Parked jobs that could use each pool, appended as they are parked and put in queue order (a
   * stable sort) when the pool frees accelerators; entries of jobs no longer parked linger until swept.
   */
  private readonly byPool: PoolEntry[][];
  /** Pools whose list had entries appended since it was last in queue order. */
  private readonly unsorted: Uint8Array;
  /** When each parked job falls due (its park ends, or the later start it chose), soonest first. */
  private readonly due = new DueHeap();
  /** How many times each queued job has been parked since it was queued. */
  private readonly parks = new Map<string, number>();
  private token = 0;
  private entries = 0;
  private liveEntries = 0;

  constructor(network: Network, profile: Profile, options: Partial<SchedulingQueueOptions> = {}) {
    this.net = prepareNetwork(network);
    this.maxParkS = options.maxParkS ?? DEFAULT_MAX_PARK_S;
    // Queue order without usage: static orders ignore the cycle; fair share falls back to priority and age.
    const empty = new Cycle({ network, allocations: [], queue: [] }, 0, profile.queueSort);
    this.order = (a, b) => profile.queueSort.compare(a, b, empty);
    this.byPool = this.net.pools.map(() => []);
    this.unsorted = new Uint8Array(this.net.pools.length);
  }

  /** Queued jobs, parked ones included. */
  get size(): number {
    return this.active.size + this.parked.size;
  }

  get parkedCount(): number {
    return this.parked.size;
  }

  /** Ids of the queued jobs, parked ones included. */
  ids(): string[] {
    return [...this.active.keys(), ...this.parked.keys()];
  }

  has(jobId: string): boolean {
    return this.active.has(jobId) || this.parked.has(jobId);
  }

  /** Queues a job (new, stopped and requeued, or changed): the next cycle looks at it. */
  add(job: Job): void {
    this.unpark(job.id);
    this.parks.delete(job.id);
    this.active.set(job.id, job);
  }

  /** Queues a job that may not start before `atS` (a retry's back-off): no cycle looks at it until then. */
  addUntil(job: Job, atS: number): void {
    this.add(job);
    this.parkUntil(job.id, atS);
  }

  /** Takes a job out: started, cancelled or dropped. */
  remove(jobId: string): void {
    this.active.delete(jobId);
    this.unpark(jobId);
    this.parks.delete(jobId);
  }

  /** The jobs the cycle at `nowS` should decide: the active ones and the parked ones due by then. */
  take(nowS: number): Job[] {
    for (let d = this.due.peek(); d && d.atS <= nowS; d = this.due.peek()) {
      this.due.pop();
      const p = this.parked.get(d.id);
      if (p && p.token === d.token) this.wake(d.id, p);
    }
    return [...this.active.values()];
  }

  /** When the next parked job falls due; Infinity when none is parked. */
  nextWakeS(): number {
    // Entries of jobs woken or taken out since are dropped from the top.
    for (let d = this.due.peek(); d; d = this.due.peek()) {
      if (this.parked.get(d.id)?.token === d.token) return d.atS;
      this.due.pop();
    }
    return Number.POSITIVE_INFINITY;
  }

  /**
   * After a cycle: parks every job told to wait (not those with a reservation, not those no site
   * could ever run). The caller removes the jobs it started or dropped.
   */
  afterCycle(decisions: readonly Decision[], nowS: number): void {
    for (const d of decisions) {
      if (d.kind !== 'wait' || d.unresolvable) continue;
      if (d.chosenStartS !== undefined && d.chosenStartS > nowS) this.parkUntil(d.jobId, d.chosenStartS);
      else this.park(d.jobId, nowS, d.awaits);
    }
  }

  /**
   * Accelerators were freed on a pool (a job ended or was stopped): `freeNow` of them are free.
   * Parked jobs that could use them come back, in queue order, while they last.
   */
  freed(poolId: string, freeNow: number): void {
    const pool = this.net.poolById.get(poolId);
    if (!pool) return;
    const list = this.byPool[pool.index] as PoolEntry[];
    if (this.unsorted[pool.index] === 1) {
      // Stable: among equals, the first parked comes back first.
      list.sort((a, b) => this.order(a.job, b.job));
      this.unsorted[pool.index] = 0;
    }
    let left = freeNow;
    let keep = 0;
    for (let i = 0; i < list.length; i++) {
      const e = list[i] as PoolEntry;
      const p = this.parked.get(e.job.id);
      if (!p || p.token !== e.token) {
        this.entries--;
        continue; // stale: swept
      }
      if (left > 0 && e.need <= left) {
        left -= e.need;
        this.wake(e.job.id, p);
        this.entries--;
        continue;
      }
      list[keep++] = e;
    }
    list.length = keep;
  }

  /**
   * Every job parked for accelerators comes back (a site or link came back, or went out of service:
   * what they wait for changed); those waiting by choice for a later start stay parked.
   */
  wakeAll(): void {
    for (const [id, p] of [...this.parked]) if (p.pools > 0) this.wake(id, p);
  }

  /**
   * Parks a job: on the pool its best option waits for when the engine named one (it would take
   * no other pool now), else on every pool it could use.
   */
  private park(jobId: string, nowS: number, awaits?: { readonly poolId: string; readonly count: number }): void {
    const job = this.active.get(jobId);
    if (!job) return;
    this.active.delete(jobId);
    const token = ++this.token;
    const parks = this.parks.get(jobId) ?? 0;
    this.parks.set(jobId, parks + 1);
    this.due.push({ atS: nowS + this.maxParkS * Math.min(2 ** parks, PARK_BACKOFF), id: jobId, token });
    const pool = awaits ? this.net.poolById.get(awaits.poolId) : undefined;
    if (awaits && pool) {
      this.parked.set(jobId, { job, token, pools: 1 });
      this.append(pool, { job, need: awaits.count, token });
      this.entries++;
      this.liveEntries++;
      return;
    }
    let pools = 0;
    for (const choice of job.options) {
      const need = choice.perMember * job.gang;
      for (const pool of this.candidatePools(job, choice.accelerator)) {
        if (need > pool.pool.count) continue;
        this.append(pool, { job, need, token });
        pools++;
      }
    }
    this.parked.set(jobId, { job, token, pools });
    this.entries += pools;
    this.liveEntries += pools;
    if (this.entries > 2 * this.liveEntries + 4096) this.sweep();
  }

  /** Parks a job that waits by choice for a later start: only that time wakes it. */
  private parkUntil(jobId: string, atS: number): void {
    const job = this.active.get(jobId);
    if (!job) return;
    this.active.delete(jobId);
    const token = ++this.token;
    this.due.push({ atS, id: jobId, token });
    this.parked.set(jobId, { job, token, pools: 0 });
  }

  private wake(jobId: string, p: Parked): void {
    this.parked.delete(jobId);
    this.active.set(jobId, p.job);
    this.liveEntries -= p.pools;
  }

  private unpark(jobId: string): void {
    const p = this.parked.get(jobId);
    if (!p) return;
    this.parked.delete(jobId);
    this.liveEntries -= p.pools;
  }

  /** The pools of a type a job may use: at its sites only, when it names them. */
  private candidatePools(job: Job, type: string): readonly PreparedPool[] {
    if (!job.sites) return this.net.poolsByType.get(type) ?? [];
    const out: PreparedPool[] = [];
    for (const id of job.sites) out.push(...(this.net.siteById.get(id)?.poolsByType.get(type) ?? []));
    return out;
  }

  /** Adds an entry at the end of a pool's list; `freed` puts the list in queue order before it reads it. */
  private append(pool: PreparedPool, e: PoolEntry): void {
    const list = this.byPool[pool.index] as PoolEntry[];
    const last = list[list.length - 1];
    if (last && this.order(last.job, e.job) > 0) this.unsorted[pool.index] = 1;
    list.push(e);
  }

  /** Drops the entries of jobs no longer parked from every pool list. */
  private sweep(): void {
    let n = 0;
    for (const list of this.byPool) {
      let keep = 0;
      for (const e of list) if (this.parked.get(e.job.id)?.token === e.token) list[keep++] = e;
      list.length = keep;
      n += keep;
    }
    this.entries = n;
    this.liveEntries = n;
  }
}

interface Due {
  readonly atS: number;
  readonly id: string;
  /** The parking it belongs to: ties fall due in the order they were parked. */
  readonly token: number;
}

/** A binary heap of due times, ordered by (time, parking order). */
class DueHeap {
  private readonly heap: Due[] = [];

  peek(): Due | undefined {
    return this.heap[0];
  }

  push(d: Due): void {
    const h = this.heap;
    let i = h.length;
    h.push(d);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(d, h[parent] as Due)) break;
      h[i] = h[parent] as Due;
      i = parent;
    }
    h[i] = d;
  }

  pop(): Due | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || !last) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && before(h[r] as Due, h[l] as Due) ? r : l;
      if (!before(h[c] as Due, last)) break;
      h[i] = h[c] as Due;
      i = c;
    }
    h[i] = last;
    return top;
  }
}

function before(a: Due, b: Due): boolean {
  return a.atS < b.atS || (a.atS === b.atS && a.token < b.token);
}
