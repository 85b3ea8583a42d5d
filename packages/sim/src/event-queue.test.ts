import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.ts';

describe('event queue', () => {
  it('orders by time, then priority, then the order of scheduling', () => {
    const q = new EventQueue<string>();
    q.push(10, 1, 'late-low');
    q.push(5, 2, 'early-arrival');
    q.push(5, 0, 'early-completion');
    q.push(10, 1, 'late-low-second');
    q.push(10, 0, 'late-high');
    const out: string[] = [];
    for (let e = q.pop(); e; e = q.pop()) out.push(e.item);
    expect(out).toEqual(['early-completion', 'early-arrival', 'late-high', 'late-low', 'late-low-second']);
  });

  it('pops in the same order as a stable sort on (time, priority) (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 3 }))), (events) => {
        const q = new EventQueue<number>();
        events.forEach(([t, p], i) => {
          q.push(t, p, i);
        });
        const expected = events
          .map(([t, p], i) => ({ t, p, i }))
          .sort((a, b) => a.t - b.t || a.p - b.p || a.i - b.i)
          .map((e) => e.i);
        const got: number[] = [];
        for (let e = q.pop(); e; e = q.pop()) got.push(e.item);
        expect(got).toEqual(expected);
      }),
    );
  });

  it('refuses a NaN time', () => {
    expect(() => new EventQueue<number>().push(Number.NaN, 0, 1)).toThrow(/NaN/);
  });
});
