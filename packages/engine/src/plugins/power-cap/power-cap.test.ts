import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../../decide.ts';
import type { Network } from '../../domain/network.ts';
import { idlePowerKw, itPowerKw } from '../../models/energy.ts';
import { cycleOf, H100, job, optionOf, site, T0 } from '../../network.fixture.ts';
import { powerCap } from './power-cap.ts';

/** One site of 64 H100 whose cap leaves room for `jobs` 8-H100 training jobs over idle. */
function cappedNetwork(jobs: number): Network {
  const idleKw = idlePowerKw(H100, 64) * 1.2;
  const perJobKw = (itPowerKw(H100, 'train', 8) - idlePowerKw(H100, 8)) * 1.2;
  return {
    name: 'capped',
    accelerators: [H100],
    sites: [site('s', { powerCapMw: (idleKw + perJobKw * jobs + 0.001) / 1000 })],
    links: [],
    linkModel: { routeFactor: 2.75, minLatencyMs: 1, bandwidthGbps: 100, priceCnyPerGb: 0.05 },
    datasets: [],
    tenants: [],
    clusterQueues: [],
    priorityClasses: {},
  };
}

describe('power-cap', () => {
  it('rejects a job whose extra power alone exceeds what the cap leaves over idle', () => {
    const c = cycleOf({ network: cappedNetwork(1) });
    const big = job('big', { options: [{ accelerator: 'H100', perMember: 16 }] });
    expect(powerCap().filter(c, big, optionOf(c, big, 's-h100'))?.code).toBe('unresolvable');
    const ok = job('ok');
    expect(powerCap().filter(c, ok, optionOf(c, ok, 's-h100'))).toBeNull();
  });

  it('holds back jobs the cap cannot power, although accelerators are free', () => {
    const queue = [0, 1, 2, 3].map((i) => job(`j${i}`, { submittedAtS: i }));
    const { decisions } = decide({ network: cappedNetwork(2), allocations: [], queue }, T0);
    expect(decisions.filter((d) => d.kind === 'place')).toHaveLength(2);
    const third = decisions[2];
    expect(third?.kind).toBe('reserve');
    expect(third?.kind === 'reserve' && third.reason).toContain('for power');
  });

  it('never exceeds a site cap, whatever the queue (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(
          fc.record({
            perMember: fc.integer({ min: 1, max: 16 }),
            durationS: fc.integer({ min: 600, max: 20000 }),
            kind: fc.constantFrom('train' as const, 'serve' as const, 'batch-infer' as const),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        (capJobs, specs) => {
          const network = cappedNetwork(capJobs);
          const queue = specs.map((s, i) =>
            job(`j${i}`, {
              submittedAtS: i,
              kind: s.kind,
              durationS: s.durationS,
              options: [{ accelerator: 'H100', perMember: s.perMember }],
            }),
          );
          const { decisions } = decide({ network, allocations: [], queue }, T0);
          const capKw = (network.sites[0]?.powerCapMw ?? 0) * 1000;
          const idleKw = idlePowerKw(H100, 64) * 1.2;
          // Check the facility draw at every start and end of a placement or reservation.
          const held = decisions.flatMap((d) => (d.kind === 'wait' ? [] : [d.placement]));
          const times = held.flatMap((p) => [p.estimate.startS, p.estimate.endS - 1]);
          for (const t of times) {
            let kw = idleKw;
            for (const p of held) {
              if (p.estimate.startS <= t && t < p.estimate.endS) {
                const kind =
                  queue.find((j) => j.id === decisions.find((d) => d.kind !== 'wait' && d.placement === p)?.jobId)
                    ?.kind ?? 'train';
                kw += (itPowerKw(H100, kind, p.count) - idlePowerKw(H100, p.count)) * 1.2;
              }
            }
            if (kw > capKw + 1e-6) return false;
          }
          return true;
        },
      ),
      { numRuns: 60 },
    );
  });
});
