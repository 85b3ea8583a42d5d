import { describe, expect, it } from 'vitest';
import { decide } from '../decide.ts';
import type { Job } from '../domain/job.ts';
import type { Allocation } from '../domain/snapshot.ts';
import { buildProfile, DEFAULT_PROFILE_SPEC, defaultProfile } from '../framework/registry.ts';
import { job, T0, testNetwork } from '../network.fixture.ts';
import { Ledger, runCycle } from './ledger.ts';
import { TimeHeap } from './time-heap.ts';

const hold = (j: Job, poolId: string, count: number, startS: number, endS: number): Allocation => ({
  jobId: j.id,
  tenant: j.tenant,
  kind: j.kind,
  poolId,
  accelerator: poolId.endsWith('a100') ? 'A100' : 'H100',
  count,
  startS,
  endS,
  priority: j.priority,
  preemptible: j.preemptible,
});

describe('ledger', () => {
  it('decides what a snapshot built from scratch decides, and keeps the indexes right through events', () => {
    const network = testNetwork();
    const ledger = new Ledger(network, defaultProfile(), { cycleS: 60 });
    const running = job('running', { options: [{ accelerator: 'H100', perMember: 32 }] });
    const pool = network.sites[0]?.pools.find((p) => p.accelerator === 'H100')?.id ?? '';
    ledger.hold(hold(running, pool, 32, T0 - 600, T0 + 3600));
    const queued = Array.from({ length: 6 }, (_, i) => job(`q${i}`, { submittedAtS: T0 - i }));
    for (const q of queued) ledger.enqueue(q, T0);
    expect(ledger.nextCycleS()).toBe(T0); // T0 is a multiple of 60 in the fixture

    const fresh = decide({ network, allocations: [...ledger.allocations], queue: queued }, T0, {
      profile: defaultProfile(),
    });
    const result = runCycle(ledger, T0, {}, () => {});
    expect(result?.decisions).toEqual(fresh.decisions);

    expect(ledger.usedOn(pool)).toBe(32);
    ledger.hold({ ...(ledger.allocation('running') as Allocation), startS: T0 });
    expect(ledger.usedOn(pool)).toBe(32);
    expect(ledger.release('running', T0 + 30)?.count).toBe(32);
    expect(ledger.usedOn(pool)).toBe(0);
    expect(ledger.allocations).toEqual([]);
    expect(ledger.nextCycleS()).toBe(T0 + 60);
  });

  it('parks jobs told to wait until accelerators they could use are freed, then decides them again', () => {
    const network = testNetwork();
    // No reservations: a job that cannot start now waits.
    const profile = buildProfile({ ...DEFAULT_PROFILE_SPEC, backfill: { reservations: 0 } });
    const ledger = new Ledger(network, profile, { cycleS: 0 });
    const big = (id: string) => job(id, { options: [{ accelerator: 'H100', perMember: 64 }] });
    const pools = network.sites.flatMap((s) => s.pools.filter((p) => p.accelerator === 'H100'));
    const blockers = pools.map((p, i) => job(`b${i}`, { options: [{ accelerator: 'H100', perMember: p.count }] }));
    for (const [i, p] of pools.entries()) ledger.hold(hold(blockers[i] as Job, p.id, p.count, T0, T0 + 86_400 * 30));
    ledger.enqueue(big('waits'), T0);
    const first = runCycle(ledger, T0, {}, () => {});
    expect(first?.decisions.map((d) => d.kind)).toEqual(['wait']);
    // Parked: the next cycles do not decide it…
    ledger.requestCycle(T0 + 1);
    expect(runCycle(ledger, T0 + 1, {}, () => {})).toBeUndefined();
    // …until a pool it could use frees accelerators.
    ledger.release('b0', T0 + 2);
    expect(runCycle(ledger, T0 + 2, {}, () => {})?.decisions.map((d) => d.jobId)).toEqual(['waits']);
  });

  it('keeps due times once each, smallest first', () => {
    const h = new TimeHeap();
    for (const t of [5, 3, 9, 3, 1, 5]) h.add(t);
    expect(h.size).toBe(4);
    expect(h.peek()).toBe(1);
    h.popUntil(5);
    expect(h.peek()).toBe(9);
    h.popUntil(100);
    expect(h.peek()).toBe(Number.POSITIVE_INFINITY);
  });
});
