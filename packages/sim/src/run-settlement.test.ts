import { buildProfile, DEFAULT_PROFILE_SPEC, type Network } from '@suanli/engine';
import { describe, expect, it } from 'vitest';
import { eastWest, simJob } from './network.fixture.ts';
import { simulate } from './simulate.ts';
import { applyChanges } from './what-if.ts';

const T0 = 1_795_392_000;

/** East and west, run by two companies; the lab's entity is related to the west's operator. */
function market(): Network {
  const base = eastWest();
  return {
    ...base,
    sites: base.sites.map((s) => ({ ...s, operator: s.id === 'west' ? 'west-co' : 'east-co' })),
    tenants: [
      { id: 'lab', name: 'Lab', sector: 'research', shareWeight: 1, legalEntity: '91000000LAB0000001' },
      { id: 'bank', name: 'Bank', sector: 'finance', shareWeight: 1, legalEntity: '91000000BANK000002' },
    ],
    operators: [
      { id: 'east-co', name: 'East Co', legalEntity: '91000000EAST000003' },
      { id: 'west-co', name: 'West Co', legalEntity: '91000000WEST000004', relatedEntities: ['91000000LAB0000001'] },
    ],
  };
}

const jobs = Array.from({ length: 30 }, (_, i) =>
  simJob(`j-${i}`, {
    tenant: i % 2 ? 'lab' : 'bank',
    submittedAtS: T0 + i * 600,
    options: [{ accelerator: 'H100', perMember: 8 }],
    durationS: 7200,
  }),
);

const run = (network: Network) =>
  simulate({
    network,
    profile: buildProfile(DEFAULT_PROFILE_SPEC),
    jobs: jobs.map((j) => ({ ...j, sector: j.job.tenant === 'lab' ? 'research' : 'finance' })),
    estimates: 'oracle',
    seed: 1,
    cycleS: 60,
    settlement: true,
  });

describe('metering and vouchers in a simulated run', () => {
  it('bills every run, and pays a programme’s vouchers only where the rules allow, within its budget', () => {
    const base = run(market());
    const s = base.settlement;
    // Every job ran; preempted runs are attempts of their own.
    expect(s?.attempts).toBeGreaterThanOrEqual(30);
    expect(s?.chargeFen).toBe((s?.computeFen ?? 0) + (s?.energyFen ?? 0) + (s?.transferFen ?? 0));
    expect(s?.programmes).toEqual([]);

    const withProgramme = applyChanges(market(), [
      {
        kind: 'programme',
        programme: {
          id: 'ai-research',
          name: 'AI+ research',
          sectors: ['research'],
          kinds: ['train'],
          shareBoost: 2,
          budgetFen: 100_000_000,
          validFromS: T0 - 86_400,
          validToS: T0 + 30 * 86_400,
        },
      },
    ]);
    const after = run(withProgramme).settlement;
    const [p] = after?.programmes ?? [];
    const research = after?.sectors.find((x) => x.sector === 'research');
    expect(p?.redeemedFen).toBeGreaterThan(0);
    expect(p?.redeemedFen).toBeLessThanOrEqual(100_000_000);
    expect(research?.voucherFen).toBe(p?.redeemedFen);
    expect(after?.sectors.find((x) => x.sector === 'finance')?.voucherFen).toBe(0);
    // Within budget, and the lab's runs at the west (its related party) are never paid: less than all it was billed.
    expect(p?.redeemedFen).toBeLessThan(research?.chargeFen ?? 0);
  });
});
