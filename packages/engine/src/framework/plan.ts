import type { Allocation, NodeShare } from '../domain/snapshot.ts';
import type { Cycle } from './cycle.ts';
import type { PreparedPool } from './prepared-network.ts';
import { drawStartS, drawSteps, expectedEndS } from './running-draw.ts';

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

  /** Holds accelerators on a pool's nodes for a job starting now, until endS. */
  holdNodes(pool: PreparedPool, jobId: string, endS: number, shares: readonly NodeShare[]): void {
    this.check();
    this.cycle.holdNodes(pool, jobId, endS, shares);
    this.undo.push(() => this.cycle.releaseNodes(pool, jobId));
  }

  /** Stops a running allocation now: its accelerators and power come back from now to its end. */
  release(pool: PreparedPool, a: Allocation): void {
    this.check();
    const onNodes = this.cycle.releaseNodes(pool, a.jobId);
    if (onNodes) {
      this.released.set(a.jobId, onNodes);
      this.undo.push(() => this.cycle.holdNodes(pool, a.jobId, onNodes.endS, onNodes.shares));
    }
    this.setStopped(pool, a, true);
  }

  /** Puts back an allocation this plan stopped (`release`), as it was. */
  restore(pool: PreparedPool, a: Allocation): void {
    this.check();
    const onNodes = this.released.get(a.jobId);
    if (onNodes) {
      this.cycle.holdNodes(pool, a.jobId, onNodes.endS, onNodes.shares);
      this.undo.push(() => this.cycle.releaseNodes(pool, a.jobId));
    }
    this.setStopped(pool, a, false);
  }

  /**
   * Stops a running allocation (its accelerators, power and usage come back from now to its end)
   * or puts it back; undone by restoring the pool's list as it was.
   */
  private setStopped(pool: PreparedPool, a: Allocation, stop: boolean): void {
    const sign = stop ? 1 : -1;
    const fromS = Math.max(a.startS, this.cycle.nowS);
    const endS = expectedEndS(a, this.cycle.nowS);
    const before = this.cycle.allocationsOn(pool);
    // The accelerators, then the power step by step (from when it draws; a grid event's cap may lift before the end).
    const steps: [number, number, number][] = [];
    const drawFrom = Math.min(endS, Math.max(drawStartS(a), this.cycle.nowS));
    drawSteps(pool, a, drawFrom, endS, (from, to, kw) => steps.push([from, to, kw]));
    this.cycle.adjust(pool, sign * a.count, fromS, endS, 0);
    for (const [from, to, kw] of steps) this.cycle.adjust(pool, 0, from, to, sign * kw);
    this.cycle.addUsage(a.tenant, a.accelerator, -sign * a.count);
    this.cycle.setRunning(pool, a, !stop);
    this.undo.push(() => {
      this.cycle.adjust(pool, -sign * a.count, fromS, endS, 0);
      for (const [from, to, kw] of steps) this.cycle.adjust(pool, 0, from, to, -sign * kw);
      this.cycle.addUsage(a.tenant, a.accelerator, sign * a.count);
      this.cycle.restoreRunning(pool, before);
    });
  }

  /** Node shares of the allocations this plan stopped, to put back. */
  private readonly released = new Map<string, { endS: number; shares: readonly NodeShare[] }>();

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
