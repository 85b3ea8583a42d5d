import { describe, expect, it } from 'vitest';
import { cycleOf, job } from '../../network.fixture.ts';
import { sjf } from './sjf.ts';

describe('sjf', () => {
  it('puts the shortest estimated run first, then the oldest, then by id', () => {
    const c = cycleOf();
    const jobs = [
      job('long', { durationS: 7200, submittedAtS: 0 }),
      job('short-late', { durationS: 600, submittedAtS: 50 }),
      job('short-early', { durationS: 600, submittedAtS: 10 }),
    ];
    const order = [...jobs].sort((a, b) => sjf().compare(a, b, c)).map((j) => j.id);
    expect(order).toEqual(['short-early', 'short-late', 'long']);
  });

  it('orders by duration alone: priority only breaks ties', () => {
    const c = cycleOf();
    const a = job('a', { durationS: 100, priority: 0 });
    const b = job('b', { durationS: 100, priority: 5 });
    expect(sjf().compare(a, b, c)).toBeGreaterThan(0);
    expect(sjf().compare(job('x', { durationS: 50 }), b, c)).toBeLessThan(0);
  });
});
