import type { Snapshot } from '../domain/snapshot.ts';
import type { Rng } from '../rng.ts';
import { type PreparedNetwork, type PreparedPool, prepareNetwork } from './prepared-network.ts';

interface Release {
  readonly atS: number;
  readonly count: number;
}

/**
 * Mutable state of one decision cycle: free accelerators per pool and when held ones come back.
 * It starts from the snapshot and records each placement made in the cycle, so later jobs in the
 * same cycle see what earlier ones took. Nothing outside the cycle sees it.
 */
export class Cycle {
  readonly net: PreparedNetwork;
  readonly nowS: number;
  readonly rng: Rng;
  private readonly free: Int32Array;
  private readonly releases: Release[][];

  constructor(snapshot: Snapshot, nowS: number, rng: Rng) {
    this.net = prepareNetwork(snapshot.network);
    this.nowS = nowS;
    this.rng = rng;
    this.free = new Int32Array(this.net.pools.length);
    this.releases = [];
    for (const p of this.net.pools) this.free[p.index] = p.pool.count;
    for (const a of snapshot.allocations) {
      const p = this.net.poolById.get(a.poolId);
      if (!p) continue; // a pool removed from the network: its jobs hold nothing we can place on
      this.free[p.index] = (this.free[p.index] ?? 0) - a.count;
      this.addRelease(p, Math.max(a.endS, nowS), a.count);
    }
  }

  freeIn(pool: PreparedPool): number {
    return this.free[pool.index] ?? 0;
  }

  /** Seconds from now until `need` accelerators are free in the pool; Infinity if never. */
  waitFor(pool: PreparedPool, need: number): number {
    let free = this.freeIn(pool);
    if (free >= need) return 0;
    if (need > pool.pool.count) return Number.POSITIVE_INFINITY;
    for (const r of this.releases[pool.index] ?? []) {
      free += r.count;
      if (free >= need) return r.atS - this.nowS;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Record a placement made in this cycle. */
  take(pool: PreparedPool, count: number, endS: number): void {
    this.free[pool.index] = this.freeIn(pool) - count;
    this.addRelease(pool, endS, count);
  }

  private addRelease(pool: PreparedPool, atS: number, count: number): void {
    let list = this.releases[pool.index];
    if (!list) {
      list = [];
      this.releases[pool.index] = list;
    }
    let i = list.length;
    while (i > 0 && (list[i - 1]?.atS ?? 0) > atS) i--;
    list.splice(i, 0, { atS, count });
  }
}
