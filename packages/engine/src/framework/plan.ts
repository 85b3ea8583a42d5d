import type { Allocation } from '../domain/snapshot.ts';
import { allocationKw, type Cycle, expectedEndS } from './cycle.ts';
import type { PreparedPool } from './prepared-network.ts';

/**
 * A transaction on the cycle (Volcano's Statement, Armada's Txn): holds and releases are applied
 * at once, so later checks in the same plan see them, and recorded, so `discard()` undoes them all
 * in reverse order. A gang is held member by member and committed whole, or discarded whole; a
 * dry run (preemption trying victims) always discards.
 */
export class Plan {
  private readonly cycle: Cycle;
  private undo: (() => void)[] = [];
  private open = true;

  constructor(cycle: Cycle) {
    this.cycle = cycle;
  }

  /** Holds accelerators and power over [startS, endS); `tenant` gains the usage if given. */
  hold(pool: PreparedPool, count: number, startS: number, endS: number, kw: number, tenant?: string): void {
    this.check();
    this.cycle.adjust(pool, -count, startS, endS, -kw);
    if (tenant !== undefined) this.cycle.addUsage(tenant, pool.pool.accelerator, count);
    this.undo.push(() => {
      this.cycle.adjust(pool, count, startS, endS, kw);
      if (tenant !== undefined) this.cycle.addUsage(tenant, pool.pool.accelerator, -count);
    });
  }

  /** Stops a running allocation now: its accelerators and power come back from now to its end. */
  release(pool: PreparedPool, a: Allocation): void {
    this.check();
    const fromS = Math.max(a.startS, this.cycle.nowS);
    const endS = expectedEndS(a, this.cycle.nowS);
    const kw = allocationKw(pool, a);
    this.cycle.adjust(pool, a.count, fromS, endS, kw);
    this.cycle.addUsage(a.tenant, a.accelerator, -a.count);
    this.cycle.setRunning(pool, a, false);
    this.undo.push(() => {
      this.cycle.adjust(pool, -a.count, fromS, endS, -kw);
      this.cycle.addUsage(a.tenant, a.accelerator, a.count);
      this.cycle.setRunning(pool, a, true);
    });
  }

  /** Registers an undo step of a plug-in's own state (reserve → unreserve). */
  onDiscard(step: () => void): void {
    this.check();
    this.undo.push(step);
  }

  commit(): void {
    this.check();
    this.undo = [];
    this.open = false;
  }

  discard(): void {
    this.check();
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]?.();
    this.undo = [];
    this.open = false;
  }

  private check(): void {
    if (!this.open) throw new Error('plan already committed or discarded');
  }
}
