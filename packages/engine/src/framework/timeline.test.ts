import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Timeline } from './timeline.ts';

describe('timeline', () => {
  it('adds over spans and reads values and minima', () => {
    const t = new Timeline(0, 10);
    t.add(100, 200, -4);
    t.add(150, Number.POSITIVE_INFINITY, 3);
    expect(t.steps()).toEqual([
      { atS: 0, value: 10 },
      { atS: 100, value: 6 },
      { atS: 150, value: 9 },
      { atS: 200, value: 13 },
    ]);
    expect(t.valueAt(120)).toBe(6);
    expect(t.minOver(50, 160)).toBe(6);
    expect(t.minOver(160, 1000)).toBe(9);
  });

  it('finds the earliest start with enough for the whole run', () => {
    const t = new Timeline(0, 2);
    t.add(50, Number.POSITIVE_INFINITY, 6); // 8 free from 50
    t.add(300, 400, -7); // 1 free in [300, 400)
    expect(t.earliestFit(0, 10, 2)).toBe(0);
    expect(t.earliestFit(0, 10, 4)).toBe(50);
    expect(t.earliestFit(0, 300, 4)).toBe(400); // [50, 350) hits the dip
    expect(t.earliestFit(0, 200, 4)).toBe(50);
    expect(t.earliestFit(0, 10, 9)).toBe(Number.POSITIVE_INFINITY);
  });

  it('earliestFit agrees with a brute-force search (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }),
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: -3, max: 3 })),
          { maxLength: 8 },
        ),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 8 }),
        (initial, changes, duration, need) => {
          const t = new Timeline(0, initial);
          for (const [from, len, delta] of changes) t.add(from, from + len, delta);
          const got = t.earliestFit(0, duration, need);
          // Brute force over integer starts up to past the last change.
          let expected = Number.POSITIVE_INFINITY;
          for (let s = 0; s <= 200; s++) {
            let ok = true;
            for (let x = s; x < s + duration; x++) if (t.valueAt(x) < need) ok = false;
            if (ok) {
              expected = s;
              break;
            }
          }
          if (expected > 160) return got > 160 || got === Number.POSITIVE_INFINITY;
          return got === expected;
        },
      ),
    );
  });

  it('a bulk build equals adding the changes one by one, minimal breakpoints included (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }),
        fc.array(
          fc.tuple(
            fc.integer({ min: -20, max: 100 }),
            fc.oneof(fc.integer({ min: 1, max: 60 }), fc.constant(Number.POSITIVE_INFINITY)),
            fc.integer({ min: -3, max: 3 }),
          ),
          { maxLength: 30 },
        ),
        (initial, changes) => {
          const one = new Timeline(0, initial);
          const flat: number[] = [];
          for (const [from, len, delta] of changes) {
            one.add(from, from + len, delta);
            flat.push(from, from + len, delta);
          }
          expect(Timeline.bulk(0, initial, flat).steps()).toEqual(one.steps());
        },
      ),
    );
  });
});
