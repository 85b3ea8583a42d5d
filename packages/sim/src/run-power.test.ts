import { defaultProfile } from '@suanli/engine';
import { describe, expect, it } from 'vitest';
import { eastWest, simJob } from './network.fixture.ts';
import type { PowerInput } from './run-power.ts';
import type { SimJob } from './sim-job.ts';
import { simulate } from './simulate.ts';

/** Steady training work on the west site's H100: checkpointed, not preemptible, no deadlines. */
function work(): SimJob[] {
  return Array.from({ length: 60 }, (_, i) =>
    simJob(`j${i}`, {
      submittedAtS: i * 600,
      durationS: 4 * 3600,
      options: [{ accelerator: 'H100', perMember: 8 }],
      preemptible: i % 3 === 0,
      checkpoint: { intervalS: 1800, sizeGb: 0 },
      sites: ['west'],
    }),
  );
}

const run = (power?: PowerInput) =>
  simulate({
    network: eastWest(),
    profile: defaultProfile(),
    jobs: work(),
    estimates: 'oracle',
    seed: 3,
    cycleS: 60,
    ...(power ? { power } : {}),
  });

describe('demand response in the simulator', () => {
  it('delivers what the grid asks, measured against the baseline, and says what it cost', () => {
    const power: PowerInput = {
      events: [
        {
          level: 'site',
          target: 'west',
          atS: 6 * 3600,
          noticeS: 900,
          durationS: 2 * 3600,
          complyWithinS: 0,
          reductionPct: 20,
        },
      ],
    };
    const s = run(power);
    const dr = s.demandResponse;
    expect(dr?.events).toBe(1);
    expect(dr?.askedKwh).toBeGreaterThan(0);
    expect(dr?.deliveredPct).toBeGreaterThanOrEqual(99);
    expect(dr?.onTime).toBe(1);
    const acted = Object.values(dr?.actions ?? {}).reduce((n, k) => n + k, 0);
    expect(acted + (dr?.parkedAcceleratorHours ?? 0)).toBeGreaterThan(0);
    // Every job still finishes; the events cost time.
    expect(s.jobs.finished).toBe(60);
    const base = run();
    expect(base.demandResponse).toBeUndefined();
    expect(s.jctS.avg).toBeGreaterThanOrEqual(base.jctS.avg);
    // Deterministic.
    expect(run(power)).toEqual(s);
  });

  it('draws events every day at a local hour, and at a seeded rate; says when a plan falls short', () => {
    const daily = run({
      daily: [
        {
          targets: [{ level: 'site', target: 'west' }],
          fromHour: 13,
          hours: 2,
          reductionPct: 10,
          days: 2,
          firstDay: 0,
          noticeS: 600,
          complyWithinS: 300,
        },
      ],
    });
    expect(daily.demandResponse?.events).toBe(2);
    expect(daily.demandResponse?.deliveredPct).toBeGreaterThanOrEqual(99);
    const rate = {
      targets: [{ level: 'site' as const, target: 'west' }],
      perDay: 6,
      durationS: 3600,
      reductionPct: 5,
      days: 2,
      noticeS: 0,
      complyWithinS: 0,
    };
    const drawn = run({ rate });
    expect(drawn.demandResponse?.events).toBeGreaterThan(3);
    expect(run({ rate })).toEqual(drawn);
    // A site with little running gives its share by powering idle accelerators down.
    expect(drawn.demandResponse?.parkedAcceleratorHours).toBeGreaterThan(0);
    expect(drawn.demandResponse?.deliveredPct).toBeGreaterThanOrEqual(99);
    // Without that lever (jobs only), an idle floor cannot be shed: the plans say so at once.
    const jobsOnly = run({ rate, shedOrder: ['burst', 'preemptible', 'slack', 'cap'] });
    expect(jobsOnly.demandResponse?.plannedShort).toBeGreaterThan(0);
  });
});
