import { describe, expect, it } from 'vitest';
import type { Decision } from '../domain/placement.ts';
import { job, testNetwork } from '../network.fixture.ts';
import { buildProfile, DEFAULT_PROFILE_SPEC } from './registry.ts';
import { SchedulingQueue } from './scheduling-queue.ts';

const profile = buildProfile({ ...DEFAULT_PROFILE_SPEC, queueSort: 'priority-fifo' });
const wait = (jobId: string, awaits?: { poolId: string; count: number }): Decision => ({
  kind: 'wait',
  jobId,
  unresolvable: false,
  reason: 'busy',
  ...(awaits ? { awaits } : {}),
  explanation: { jobId, atS: 0, profile: 'p', summary: '', notes: [], verdicts: [] },
});

describe('scheduling queue', () => {
  it('parks jobs told to wait until accelerators they could use are freed, in queue order while they last', () => {
    const q = new SchedulingQueue(testNetwork(), profile, { maxParkS: 300 });
    const hydro = { sites: ['hydro'] };
    q.add(job('first', { ...hydro, submittedAtS: 1, options: [{ accelerator: 'H100', perMember: 8 }] }));
    q.add(job('second', { ...hydro, submittedAtS: 2, options: [{ accelerator: 'H100', perMember: 8 }] }));
    q.add(job('big', { ...hydro, submittedAtS: 0, options: [{ accelerator: 'H100', perMember: 32 }] }));
    expect(q.take(0).map((j) => j.id)).toEqual(['first', 'second', 'big']);
    q.afterCycle([wait('first'), wait('second'), wait('big')], 0);
    expect(q.take(10)).toEqual([]);
    expect(q.parkedCount).toBe(3);

    // 8 freed on another site's pool: nothing comes back.
    q.freed('west-h100', 8);
    expect(q.take(20)).toEqual([]);
    // 8 freed where they wait: only the first in queue order that fits (big needs 32, first is next).
    q.freed('hydro-h100', 8);
    expect(q.take(30).map((j) => j.id)).toEqual(['first']);
    // 32 freed: big goes first in queue order and takes them all.
    q.freed('hydro-h100', 32);
    expect(
      q
        .take(40)
        .map((j) => j.id)
        .sort(),
    ).toEqual(['big', 'first']);
  });

  it('parks a job that waits by choice for cheaper hours until that start alone', () => {
    const q = new SchedulingQueue(testNetwork(), profile, { maxParkS: 300 });
    q.add(job('late', { sites: ['hydro'], options: [{ accelerator: 'H100', perMember: 8 }] }));
    q.add(job('later', { sites: ['hydro'], options: [{ accelerator: 'H100', perMember: 8 }] }));
    q.add(job('busy'));
    const chosen = (jobId: string, atS: number): Decision => ({
      kind: 'wait',
      jobId,
      unresolvable: false,
      reason: 'cheaper later',
      awaits: { poolId: 'hydro-h100', count: 8 },
      chosenStartS: atS,
      explanation: { jobId, atS: 0, profile: 'p', summary: '', notes: [], verdicts: [] },
    });
    q.afterCycle([chosen('later', 7200), chosen('late', 3600), wait('busy')], 0);
    expect(q.parkedCount).toBe(3);
    expect(q.nextWakeS()).toBe(300); // the busy one's park ends first
    q.freed('hydro-h100', 64); // freed accelerators do not wake a job waiting by choice
    expect(q.take(300).map((j) => j.id)).toEqual(['busy']);
    q.remove('busy');
    expect(q.nextWakeS()).toBe(3600);
    expect(q.take(3599)).toEqual([]);
    expect(q.take(3600).map((j) => j.id)).toEqual(['late']);
    q.remove('late');
    expect(q.nextWakeS()).toBe(7200);
    // A job taken out while parked leaves nothing due.
    q.remove('later');
    expect(q.nextWakeS()).toBe(Number.POSITIVE_INFINITY);
  });

  it('brings every parked job back after maxParkS', () => {
    const q = new SchedulingQueue(testNetwork(), profile, { maxParkS: 300 });
    q.add(job('a'));
    q.afterCycle([wait('a')], 100);
    expect(q.nextWakeS()).toBe(400);
    expect(q.take(399)).toEqual([]);
    expect(q.take(400).map((j) => j.id)).toEqual(['a']);
    expect(q.nextWakeS()).toBe(Number.POSITIVE_INFINITY);
    // Parked again without having started: twice as long each time, up to sixteen times.
    let t = 400;
    for (const parkS of [600, 1200, 2400, 4800, 4800]) {
      q.afterCycle([wait('a')], t);
      expect(q.nextWakeS()).toBe(t + parkS);
      t += parkS;
      expect(q.take(t).map((j) => j.id)).toEqual(['a']);
    }
    // Queued again (requeued, changed): the first park is short again.
    q.add(job('a'));
    q.afterCycle([wait('a')], t);
    expect(q.nextWakeS()).toBe(t + 300);
  });

  it('parks a job waiting for a named pool on that pool only, and keeps reserved and unresolvable jobs out of parking', () => {
    const q = new SchedulingQueue(testNetwork(), profile, { maxParkS: 300 });
    q.add(job('picky'));
    q.add(job('reserved'));
    q.add(job('hopeless'));
    const reserve: Decision = {
      kind: 'reserve',
      jobId: 'reserved',
      reason: 'r',
      placement: {
        siteId: 'west',
        poolId: 'west-h100',
        accelerator: 'H100',
        count: 8,
        estimate: {} as never,
      },
      explanation: { jobId: 'reserved', atS: 0, profile: 'p', summary: '', notes: [], verdicts: [] },
    };
    const hopeless: Decision = { ...wait('hopeless'), unresolvable: true } as Decision;
    q.afterCycle([wait('picky', { poolId: 'hydro-h100', count: 8 }), reserve, hopeless], 0);
    q.freed('west-h100', 64);
    expect(
      q
        .take(1)
        .map((j) => j.id)
        .sort(),
    ).toEqual(['hopeless', 'reserved']);
    q.freed('hydro-h100', 8);
    expect(
      q
        .take(2)
        .map((j) => j.id)
        .sort(),
    ).toEqual(['hopeless', 'picky', 'reserved']);
  });

  it('forgets removed jobs, parked or not, and requeues added ones as active', () => {
    const q = new SchedulingQueue(testNetwork(), profile);
    q.add(job('a'));
    q.add(job('b'));
    q.afterCycle([wait('a')], 0);
    q.remove('a');
    q.remove('b');
    expect(q.size).toBe(0);
    q.freed('west-h100', 64);
    expect(q.take(1)).toEqual([]);
    q.add(job('a'));
    expect(q.ids()).toEqual(['a']);
  });
});
