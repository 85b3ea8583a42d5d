import { describe, expect, it } from 'vitest';
import { eastWest } from '../network.fixture.ts';
import { kindOf, mapTrace } from './mapping.ts';
import type { TraceRow } from './trace.ts';

const rows: TraceRow[] = [
  { id: 'j1', submitS: 0, durationS: 20_000, gpus: 16, queue: 'vc1' },
  { id: 'j2', submitS: 10, durationS: 600, gpus: 1, user: 'ann' },
  { id: 'j3', submitS: 20, durationS: 7200, gpus: 0.46 },
  { id: 'cpu', submitS: 30, durationS: 100, gpus: 0 },
];

describe('trace mapping', () => {
  it('maps rows to jobs deterministically, each from its own fields only', () => {
    const a = mapTrace(rows, eastWest(), { seed: 3 });
    const b = mapTrace([...rows].reverse(), eastWest(), { seed: 3 });
    const byId = (m: typeof a) => Object.fromEntries(m.jobs.map((j) => [j.job.id, j]));
    expect(byId(b)).toEqual(byId(a));
    expect(a.skipped).toEqual({ 'no GPU (CPU-only)': 1 });
    const other = mapTrace(rows, eastWest(), { seed: 4 });
    expect(other.jobs.map((j) => j.job.tenant + j.job.originSiteId)).not.toEqual(
      a.jobs.map((j) => j.job.tenant + j.job.originSiteId),
    );
  });

  it('classifies jobs, splits wide ones into gangs of 8, rounds a GPU fraction up to one', () => {
    const { jobs } = mapTrace(rows, eastWest(), { seed: 1 });
    const [j1, j2, j3] = jobs;
    expect(j1?.job).toMatchObject({ kind: 'train', gang: 2, durationS: 20_000 });
    expect(j1?.job.options.every((o) => o.perMember === 8)).toBe(true);
    expect(j2?.job.kind).toBe('batch-infer');
    expect(j3?.job.options[0]?.perMember).toBe(1);
    expect(kindOf(1, 7200)).toBe('finetune');
    // Tenants come from the network; the origin is a demand centre or an east-side site.
    for (const j of jobs) {
      expect(['lab', 'bank']).toContain(j.job.tenant);
      expect(j.job.originSiteId).toBe('east');
    }
  });

  it('pins jobs to the site their queue names and scales submit times', () => {
    const net = eastWest();
    const pinned = mapTrace([{ id: 'p', submitS: 100, durationS: 60, gpus: 1, queue: 'west' }], net, {
      seed: 1,
      pinToQueue: true,
      timeScale: 0.5,
    });
    expect(pinned.jobs[0]?.job).toMatchObject({ sites: ['west'], originSiteId: 'west', submittedAtS: 50 });
  });
});
