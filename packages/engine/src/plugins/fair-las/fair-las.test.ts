import { describe, expect, it } from 'vitest';
import { Cycle } from '../../framework/cycle.ts';
import { buildProfile, ProfileError } from '../../framework/registry.ts';
import { cycleOf, job, running, T0, testNetwork } from '../../network.fixture.ts';
import { fairLas } from './fair-las.ts';

const DAY = 86_400;

describe('fair-las', () => {
  const plugin = fairLas({ thresholdsS: [18_000], starveAfterS: DAY, starveFactor: 2, minRunS: 600, shareBound: true });
  const order = (c: Cycle, jobs: ReturnType<typeof job>[]) =>
    [...jobs].sort((a, b) => plugin.compare(a, b, c)).map((j) => j.id);

  it('puts less attained service first, and within a queue the least estimated remaining service', () => {
    const c = cycleOf({}, T0);
    const long = job('long', { submittedAtS: T0 - 100, durationS: 36_000 });
    const short = job('short', { submittedAtS: T0 - 50, durationS: 600 });
    const served = job('served', { submittedAtS: T0 - 200, durationS: 600, attainedS: 20_000 });
    expect(order(c, [served, long, short])).toEqual(['short', 'long', 'served']);
  });

  it('puts a job that has waited a day, and twice as long as it ran, before every other', () => {
    const c = cycleOf({}, T0);
    const fresh = job('fresh', { submittedAtS: T0 - 60, durationS: 600 });
    // In the system 2 days, ran 8 × 3 h = 24 h of accelerator time on 8: waited 45 h ≥ 24 h and ≥ 2 × 3 h.
    const starved = job('starved', { submittedAtS: T0 - 2 * DAY, attainedS: 8 * 3 * 3600 });
    // Waited 45 h but ran 30 h: not yet twice as long as it ran.
    const ranLong = job('ran-long', { submittedAtS: T0 - 75 * 3600, attainedS: 8 * 30 * 3600 });
    expect(order(c, [fresh, ranLong, starved])).toEqual(['starved', 'fresh', 'ran-long']);
    expect(plugin.rank?.job(starved, c)).toBe(-1);
  });

  it('lets a tenant under its entitlement go before one above it, whatever their queues', () => {
    const network = {
      ...testNetwork(),
      tenants: [
        { id: 'big', name: 'Big', sector: 'research' as const, shareWeight: 1 },
        { id: 'small', name: 'Small', sector: 'research' as const, shareWeight: 1 },
      ],
    };
    // big holds 64 of 112 H100 (57 %); both compete, so each is entitled to 50 %.
    const bigFresh = job('big-fresh', { tenant: 'big', submittedAtS: T0 - 60 });
    const smallServed = job('small-served', { tenant: 'small', submittedAtS: T0 - 60, attainedS: 20_000 });
    const allocations = [running('r', 'west-h100', 64, { tenant: 'big' })];
    const c = new Cycle({ network, allocations, queue: [bigFresh, smallServed] }, T0);
    expect(order(c, [bigFresh, smallServed])).toEqual(['small-served', 'big-fresh']);
    // Without the bound, attained service alone decides.
    const unbounded = fairLas({
      thresholdsS: [18_000],
      starveAfterS: DAY,
      starveFactor: 2,
      minRunS: 600,
      shareBound: false,
    });
    expect(unbounded.compare(bigFresh, smallServed, c)).toBeLessThan(0);
    // Alone, big is entitled to everything: its own order holds.
    const alone = new Cycle({ network, allocations, queue: [bigFresh] }, T0);
    expect(
      plugin.compare(bigFresh, job('big-served', { tenant: 'big', submittedAtS: T0 - 60, attainedS: 20_000 }), alone),
    ).toBeLessThan(0);
  });

  it('ranks running jobs by service; one that just started or had starved is not stopped for the order', () => {
    const c = cycleOf({}, T0);
    const rank = plugin.rank;
    expect(rank?.running(running('a', 'west-h100', 8, { startS: T0 - 1200 }), c)).toBe(0);
    expect(rank?.running(running('b', 'west-h100', 8, { startS: T0 - 3000 }), c)).toBe(1);
    expect(rank?.running(running('c', 'west-h100', 8, { startS: T0 - 300, attainedS: 50_000 }), c)).toBe(-1);
    const starvedRun = running('d', 'west-h100', 8, { startS: T0 - 3600, submittedAtS: T0 - 3 * DAY });
    expect(rank?.running(starvedRun, c)).toBe(-1);
    // A job with a deadline was placed to meet it running through.
    expect(rank?.running(running('e', 'west-h100', 8, { startS: T0 - 3000, deadlineS: T0 + 7200 }), c)).toBe(-1);
  });

  it('takes its settings from the profile and rejects bad ones with the field', () => {
    const spec = (args: Record<string, unknown>) => ({
      name: 'p',
      queueSort: { name: 'fair-las', args },
      plugins: [],
      scores: [{ name: 'time-score' }],
    });
    expect(buildProfile(spec({ thresholdsS: [3600, 36_000], starveAfterS: DAY })).queueSort.name).toBe('fair-las');
    expect(() => buildProfile(spec({ starveAfterS: 1 }))).toThrow(ProfileError);
    expect(() => buildProfile(spec({ thresholdsS: [5, 1] }))).toThrow(/ascending/);
    expect(() => buildProfile(spec({ soon: true }))).toThrow(/unknown argument/);
    expect(() => buildProfile(spec({ shareBound: 'yes' }))).toThrow(/true or false/);
  });
});
