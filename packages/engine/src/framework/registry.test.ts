import { describe, expect, it } from 'vitest';
import { buildProfile, DEFAULT_PROFILE_SPEC, ProfileError, type ProfileSpec } from './registry.ts';

function error(spec: Partial<ProfileSpec>): ProfileError {
  try {
    buildProfile({ ...DEFAULT_PROFILE_SPEC, ...spec });
  } catch (e) {
    if (e instanceof ProfileError) return e;
    throw e;
  }
  throw new Error('expected the profile to be refused');
}

describe('profiles', () => {
  it('builds the default profile with plug-ins at each extension point', () => {
    const p = buildProfile(DEFAULT_PROFILE_SPEC);
    expect(p.queueSort.name).toBe('fair-las');
    expect(p.preFilters.map((x) => x.name)).toEqual(['quota']);
    expect(p.siteFilters.map((x) => x.name)).toEqual(['site-affinity', 'accelerator-type']);
    expect(p.filters.map((x) => x.name)).toEqual(['quota', 'capacity-fit', 'power-cap', 'deadline', 'budget']);
    expect(p.postFilters.map((x) => x.name)).toEqual(['preemption', 'preempt-by-order']);
    expect(p.scores.map((s) => [s.plugin.name, s.weight])).toEqual([
      ['cost-score', 1],
      ['carbon-score', 1],
      ['time-score', 1],
    ]);
    expect(p).toMatchObject({
      reservations: 16,
      carbonSignal: 'location-based',
      timeShift: { horizonS: 86400, stepS: 3600 },
    });
  });

  it('refuses unknown plug-ins, misplaced ones, bad arguments and settings, saying where', () => {
    expect(error({ plugins: [{ name: 'teleport' }] })).toMatchObject({ path: ['plugins', 0, 'name'] });
    expect(error({ plugins: [{ name: 'teleport' }] }).message).toContain('known: accelerator-type');
    expect(error({ plugins: [{ name: 'cost-score' }] }).message).toContain('list it under scores');
    expect(error({ queueSort: 'quota' }).path).toEqual(['queueSort']);
    expect(error({ scores: [{ name: 'quota' }] }).path).toEqual(['scores', 0, 'name']);
    expect(error({ scores: [{ name: 'cost-score', weight: 0 }] }).path).toEqual(['scores', 0, 'weight']);
    expect(error({ plugins: [{ name: 'preemption', args: { minWaitS: -5 } }] })).toMatchObject({
      path: ['plugins', 0, 'args', 'minWaitS'],
      message: 'must be ≥ 0',
    });
    expect(error({ plugins: [{ name: 'preemption', args: { speed: 3 } }] }).path).toEqual([
      'plugins',
      0,
      'args',
      'speed',
    ]);
    expect(error({ plugins: [{ name: 'deadline', args: { x: 1 } }] }).message).toContain('takes none');
    expect(error({ plugins: [{ name: 'deadline' }, { name: 'deadline' }] }).message).toContain('listed twice');
    expect(error({ backfill: { reservations: -1 } }).path).toEqual(['backfill', 'reservations']);
    expect(error({ optimizer: { timeLimitS: 0 } }).path).toEqual(['optimizer', 'timeLimitS']);
  });
});
