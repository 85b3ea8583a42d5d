import { buildProfile, DEFAULT_PROFILE_SPEC, type Profile } from '@suanli/engine';
import { describe, expect, it } from 'vitest';
import { SuanliError } from './errors.ts';
import { builtinProfile, parseProfile } from './profile-file.ts';

const shape = (p: Profile) => ({
  queueSort: p.queueSort.name,
  preFilters: p.preFilters.map((x) => x.name),
  siteFilters: p.siteFilters.map((x) => x.name),
  filters: p.filters.map((x) => x.name),
  postFilters: p.postFilters.map((x) => x.name),
  scores: p.scores.map((s) => [s.plugin.name, s.weight]),
  reserves: p.reserves.map((x) => x.name),
  permits: p.permits.map((x) => x.name),
  carbonSignal: p.carbonSignal,
  reservations: p.reservations,
  timeShift: p.timeShift,
  explain: p.explain,
  optimizer: p.optimizer,
});

const good = `name: mine
queueSort: priority-fifo
plugins:
  - accelerator-type
  - capacity-fit
  - preemption: { minWaitS: 60 }
  - { name: tenant-limit, args: { maxJobs: 3 } }
scores:
  - cost-score
  - { name: carbon-score, weight: 2 }
carbonSignal: market-based
`;

function failure(text: string): SuanliError {
  try {
    parseProfile(text, 'p.yaml');
  } catch (e) {
    if (e instanceof SuanliError) return e;
    throw e;
  }
  throw new Error('expected the profile to be refused');
}

describe('profile files', () => {
  it('ships a default profile identical to the engine default', () => {
    expect(shape(builtinProfile())).toEqual(shape(buildProfile(DEFAULT_PROFILE_SPEC)));
  });

  it('reads plug-ins written by name, as one-key maps with arguments, or in full', () => {
    const p = parseProfile(good, 'p.yaml');
    expect(shape(p)).toMatchObject({
      queueSort: 'priority-fifo',
      filters: ['capacity-fit'],
      postFilters: ['preemption'],
      reserves: ['tenant-limit'],
      scores: [
        ['cost-score', 1],
        ['carbon-score', 2],
      ],
      carbonSignal: 'market-based',
    });
  });

  it('refuses bad profiles with file, line and field', () => {
    expect(failure(good.replace('- capacity-fit', '- capacity-fits'))).toMatchObject({
      code: 'INVALID_PROFILE',
      location: { source: 'p.yaml', field: 'plugins[1]', line: 5 },
    });
    expect(failure(good.replace('minWaitS: 60', 'minWaitS: -1'))).toMatchObject({
      message: 'must be ≥ 0',
      location: { field: 'plugins[2].preemption.minWaitS', line: 6 },
    });
    expect(failure(good.replace('maxJobs: 3', 'maxJobz: 3'))).toMatchObject({
      location: { field: 'plugins[3].args.maxJobz' },
    });
    expect(failure(good.replace('  - cost-score\n', '  - quota\n')).message).toContain('not a score plug-in');
    expect(failure(good.replace('queueSort: priority-fifo', 'queueSort: budget')).location).toMatchObject({
      field: 'queueSort',
      line: 2,
    });
    expect(failure('name: x\nqueueSort: [\n').code).toBe('INVALID_PROFILE');
  });
});
