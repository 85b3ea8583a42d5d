import { describe, expect, it } from 'vitest';
import { decide } from '../../decide.ts';
import { buildProfile } from '../../framework/registry.ts';
import { job, running, T0, testNetwork } from '../../network.fixture.ts';

const profile = (queueSort: string) =>
  buildProfile({
    name: queueSort,
    queueSort,
    plugins: [
      { name: 'site-affinity' },
      { name: 'accelerator-type' },
      { name: 'capacity-fit' },
      { name: 'preempt-by-order' },
    ],
    scores: [{ name: 'time-score' }],
    timeShift: false,
    backfill: { reservations: 0 },
  });

/** The 32-accelerator hydro pool, full with two jobs; every job may run only there. */
const hydroOnly = { sites: ['hydro'] };

describe('preempt-by-order', () => {
  it('SRTF: a short queued job stops the running job with the most time left, not one that ends sooner', () => {
    const allocations = [
      running('long', 'hydro-h100', 16, { endS: T0 + 10 * 3600 }),
      running('soon', 'hydro-h100', 16, { endS: T0 + 2 * 3600 }),
    ];
    const { decisions } = decide(
      { network: testNetwork(), allocations, queue: [job('short', { durationS: 1800, ...hydroOnly })] },
      T0,
      { profile: profile('srtf') },
    );
    const d = decisions[0];
    expect(d?.kind).toBe('place');
    expect(d?.kind === 'place' && d.preempts.map((p) => p.jobId)).toEqual(['long']);
  });

  it('SRTF: a queued job longer than every running one waits', () => {
    const allocations = [running('a', 'hydro-h100', 32, { endS: T0 + 3600 })];
    const { decisions } = decide(
      { network: testNetwork(), allocations, queue: [job('longer', { durationS: 7200, ...hydroOnly })] },
      T0,
      { profile: profile('srtf') },
    );
    expect(decisions[0]?.kind).toBe('wait');
  });

  it('LAS: a new job stops one that dropped to the second queue, never one in its own', () => {
    const served = running('served', 'hydro-h100', 16, { startS: T0 - 3 * 3600 }); // 172,800 s of service
    const young = running('young', 'hydro-h100', 16, { startS: T0 - 60 }); // 960 s
    const { decisions } = decide(
      { network: testNetwork(), allocations: [served, young], queue: [job('new', { ...hydroOnly })] },
      T0,
      { profile: profile('las') },
    );
    const d = decisions[0];
    expect(d?.kind === 'place' && d.preempts.map((p) => p.jobId)).toEqual(['served']);

    const sameQueue = decide(
      { network: testNetwork(), allocations: [young, { ...young, jobId: 'young-2' }], queue: [job('new', hydroOnly)] },
      T0,
      { profile: profile('las') },
    );
    expect(sameQueue.decisions[0]?.kind).toBe('wait');
  });

  it('does nothing under a queue sort without a rank, and never stops a job that is not preemptible', () => {
    const allocations = [running('long', 'hydro-h100', 32, { endS: T0 + 10 * 3600, preemptible: false })];
    const srtf = decide(
      { network: testNetwork(), allocations, queue: [job('short', { durationS: 60, ...hydroOnly })] },
      T0,
      { profile: profile('srtf') },
    );
    expect(srtf.decisions[0]?.kind).toBe('wait');
    const fifo = decide(
      {
        network: testNetwork(),
        allocations: [{ ...allocations[0], preemptible: true } as (typeof allocations)[number]],
        queue: [job('short', { durationS: 60, ...hydroOnly })],
      },
      T0,
      { profile: profile('priority-fifo') },
    );
    expect(fifo.decisions[0]?.kind).toBe('wait');
  });
});
