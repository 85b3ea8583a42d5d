import type { Allocation, PowerState } from '../domain/snapshot.ts';
import { additionsOf, budgetChanges, type LevelAdditions, type PowerLevel } from './power-levels.ts';
import type { PreparedNetwork, PreparedPool, PreparedSite } from './prepared-network.ts';
import { drawStartS, drawSteps, expectedEndS, idleKwEach } from './running-draw.ts';
import { Timeline } from './timeline.ts';

/** Accelerators of a pool powered down by a grid event over [fromS, toS). */
interface Parked {
  readonly fromS: number;
  readonly toS: number;
  readonly count: number;
}

/**
 * A cycle's free power under every level of the budget tree (region → site → hall), over time:
 * each level's budget by the hour (with contracted windows and grid events' ceilings) less its
 * fixed draw and what the allocations beneath it add; and the accelerators grid events power down.
 * Timelines are built on first use; a level nothing draws on stays a constant. Part of a `Cycle`,
 * changed only through it.
 */
export class LevelPower {
  private readonly net: PreparedNetwork;
  private readonly nowS: number;
  /** The cycle's running allocations by pool index (its array: lists are replaced there, never changed). */
  private readonly running: readonly (readonly Allocation[] | undefined)[];
  private readonly timelines: (Timeline | undefined)[];
  /** Free power of each level when its timeline is not built: budget less fixed draw; NaN until read. */
  private readonly constant: Float64Array;
  private readonly built: Uint8Array;
  /** What the ledger added to each level (windows, grid events), by `kind:id`. */
  private readonly additions: ReadonlyMap<string, LevelAdditions>;
  /** Accelerators powered down by grid events, by pool index: none placed there meanwhile, no idle draw. */
  private readonly parked = new Map<number, Parked[]>();

  constructor(
    net: PreparedNetwork,
    nowS: number,
    running: readonly (readonly Allocation[] | undefined)[],
    power: PowerState | undefined,
  ) {
    this.net = net;
    this.nowS = nowS;
    this.running = running;
    this.timelines = new Array<Timeline | undefined>(net.levels.length);
    this.constant = new Float64Array(net.levels.length).fill(Number.NaN);
    this.built = new Uint8Array(net.levels.length);
    this.additions = additionsOf(power);
    for (const e of power?.events ?? []) {
      if (e.endS <= nowS) continue;
      for (const p of e.parked ?? []) {
        const pool = net.poolById.get(p.poolId);
        if (!pool) continue;
        const list = this.parked.get(pool.index) ?? [];
        list.push({ fromS: e.startS, toS: e.endS, count: p.count });
        this.parked.set(pool.index, list);
      }
    }
  }

  /** Grid events and windows the ledger added to a level. */
  additionsTo(level: PowerLevel): LevelAdditions | undefined {
    return this.additions.get(`${level.kind}:${level.id}`);
  }

  /** The accelerators of a pool grid events power down, with their windows (none: undefined). */
  parkedOn(poolIndex: number): readonly Parked[] | undefined {
    return this.parked.get(poolIndex);
  }

  /** Accelerators of a pool a grid event powered down at time t. */
  parkedAt(pool: PreparedPool, t: number): number {
    let n = 0;
    for (const p of this.parked.get(pool.index) ?? []) if (p.fromS <= t && t < p.toS) n += p.count;
    return n;
  }

  /** Facility power (kW) free under the site's own budget at time t. */
  siteFreeAt(site: PreparedSite, t: number): number {
    return this.freeAt(site.levels[0] as PowerLevel, t);
  }

  /** Facility power (kW) free under a level's budget at time t. */
  freeAt(level: PowerLevel, t: number): number {
    return this.timeline(level)?.valueAt(t) ?? this.constFree(level);
  }

  /** The least power (kW) free under a level's budget over [fromS, toS). */
  minFree(level: PowerLevel, fromS: number, toS: number): number {
    return this.timeline(level)?.minOver(fromS, toS) ?? this.constFree(level);
  }

  /** The least power (kW) free over [fromS, toS) under a site's levels (the site, its region). */
  siteMinFree(site: PreparedSite, fromS: number, toS: number): number {
    let free = Number.POSITIVE_INFINITY;
    for (const level of site.levels) free = Math.min(free, this.minFree(level, fromS, toS));
    return free;
  }

  /** Whether every level of a pool leaves `kw` free over [startS, endS). */
  fits(pool: PreparedPool, startS: number, endS: number, kw: number): boolean {
    const levels = pool.levels;
    for (let i = 0; i < levels.length; i++) if (this.minFree(levels[i] as PowerLevel, startS, endS) < kw) return false;
    return true;
  }

  /**
   * The earliest start ≥ fromS at which every level of a pool leaves `kw` free for `durationS`;
   * Infinity if none. Levels are asked in turn until none moves the start.
   */
  earliestFit(pool: PreparedPool, fromS: number, durationS: number, kw: number): number {
    const levels = pool.levels;
    if (levels.length === 1) {
      // One level (a site with no region or hall budget): its timeline, or its constant.
      const only = levels[0] as PowerLevel;
      const pow = this.timeline(only);
      return pow
        ? pow.earliestFit(fromS, durationS, kw)
        : kw <= this.constFree(only)
          ? fromS
          : Number.POSITIVE_INFINITY;
    }
    let p = fromS;
    let moved = true;
    for (let k = 0; moved && k < 64 && Number.isFinite(p); k++) {
      moved = false;
      for (let i = 0; i < levels.length && Number.isFinite(p); i++) {
        const level = levels[i] as PowerLevel;
        const pow = this.timeline(level);
        const q = pow ? pow.earliestFit(p, durationS, kw) : kw <= this.constFree(level) ? p : Number.POSITIVE_INFINITY;
        if (q > p) {
          p = q;
          moved = true;
        }
      }
    }
    // Levels that kept moving it past every pass: no start found where all of them allow it.
    return moved ? Number.POSITIVE_INFINITY : p;
  }

  /**
   * The level (of a pool's, from the pool up) whose budget keeps `kw` from running over
   * [startS, startS + durationS), and the first time it falls short; undefined when all allow it.
   */
  bindingLevel(
    pool: PreparedPool,
    kw: number,
    startS: number,
    durationS: number,
  ): { readonly level: PowerLevel; readonly atS: number; readonly freeKw: number } | undefined {
    const endS = startS + durationS;
    for (const level of pool.levels) {
      const pow = this.timeline(level);
      if (!pow) {
        const free = this.constFree(level);
        if (free < kw) return { level, atS: startS, freeKw: free };
        continue;
      }
      if (pow.minOver(startS, endS) >= kw) continue;
      const atS = pow.firstBelow(startS, endS, kw);
      return { level, atS, freeKw: pow.valueAt(atS) };
    }
    return undefined;
  }

  /** Changes the free power of every level of a pool by `kw` over [fromS, toS). Used by `Cycle.adjust` only. */
  add(pool: PreparedPool, fromS: number, toS: number, kw: number): void {
    const levels = pool.levels;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i] as PowerLevel;
      let pow = this.timeline(level);
      if (!pow) {
        pow = new Timeline(this.nowS, this.constFree(level));
        this.timelines[level.index] = pow;
      }
      pow.add(fromS, toS, kw);
    }
  }

  /** A level's free power over time, built on first use; undefined while it is a constant. */
  private timeline(level: PowerLevel): Timeline | undefined {
    const i = level.index;
    if (this.built[i] === 0) {
      this.built[i] = 1;
      const { baseKw, changes } = budgetChanges(level, this.additionsTo(level), this.nowS);
      const push = (from: number, to: number, kw: number) => changes.push(from, to, -kw);
      for (const pool of this.net.levelPools[i] ?? []) {
        for (const a of this.running[pool.index] ?? []) {
          drawSteps(pool, a, Math.max(drawStartS(a), this.nowS), expectedEndS(a, this.nowS), push);
        }
        // Accelerators powered down draw no idle power meanwhile: more is free under the budget.
        const idleKw = idleKwEach(pool);
        for (const p of this.parked.get(pool.index) ?? []) changes.push(p.fromS, p.toS, p.count * idleKw);
      }
      this.constant[i] = baseKw - level.fixedKw;
      if (changes.length > 0) this.timelines[i] = Timeline.bulk(this.nowS, baseKw - level.fixedKw, changes);
    }
    return this.timelines[i];
  }

  /** A level's free power when it has no timeline (built first). */
  private constFree(level: PowerLevel): number {
    const v = this.constant[level.index] as number;
    if (!Number.isNaN(v)) return v;
    this.timeline(level);
    return this.constant[level.index] as number;
  }
}
