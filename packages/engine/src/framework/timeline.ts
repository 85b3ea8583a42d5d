/**
 * A step function of an amount over time, from an origin on: the value is `values[i]` from
 * `times[i]` until `times[i + 1]` (the last step lasts forever). The cycle keeps one per pool (free
 * accelerators) and one per site (free power), so it can tell when a job fits: the earliest start
 * at which enough is free for the whole run.
 */
export class Timeline {
  private readonly times: number[];
  private readonly values: number[];

  constructor(originS: number, initial: number) {
    this.times = [originS];
    this.values = [initial];
  }

  get originS(): number {
    return this.times[0] ?? 0;
  }

  /** The value at time `t` (the origin's value before it). */
  valueAt(t: number): number {
    return this.values[this.indexAt(t)] ?? 0;
  }

  /**
   * A timeline with many changes at once, each `delta` over [from, to): one sort, O(n log n),
   * where adding them one by one would cost O(n²). `changes` holds triples: from, to, delta.
   */
  static bulk(originS: number, initial: number, changes: readonly number[]): Timeline {
    const t = new Timeline(originS, initial);
    const n = changes.length / 3;
    if (n === 0) return t;
    // Edges: at each time, the sum of the deltas that start or end there; a native sort of the times.
    const sums = new Map<number, number>();
    const times = new Float64Array(2 * n);
    let m = 0;
    let base = initial;
    const edge = (at: number, d: number) => {
      const had = sums.get(at);
      if (had === undefined) {
        sums.set(at, d);
        times[m++] = at;
      } else sums.set(at, had + d);
    };
    for (let k = 0; k < n; k++) {
      const from = Math.max(changes[3 * k] ?? 0, originS);
      const to = changes[3 * k + 1] ?? 0;
      const d = changes[3 * k + 2] ?? 0;
      if (d === 0 || to <= from) continue;
      if (from <= originS) base += d;
      else edge(from, d);
      if (Number.isFinite(to)) edge(to, -d);
    }
    const sorted = times.subarray(0, m).sort();
    t.values[0] = base;
    let value = base;
    for (let i = 0; i < m; i++) {
      const time = sorted[i] as number;
      value += sums.get(time) ?? 0;
      if (value === t.values[t.values.length - 1]) continue;
      t.times.push(time);
      t.values.push(value);
    }
    return t;
  }

  /** Adds `delta` over [from, to); `to` may be Infinity. */
  add(from: number, to: number, delta: number): void {
    if (delta === 0 || to <= from || to <= this.originS) return;
    const a = this.split(Math.max(from, this.originS));
    const b = Number.isFinite(to) ? this.split(to) : this.times.length;
    for (let i = a; i < b; i++) this.values[i] = (this.values[i] ?? 0) + delta;
    // Only the edges of the changed range can now equal their neighbours.
    if (b < this.times.length) this.mergeAt(b);
    this.mergeAt(a);
  }

  /** The smallest value over [from, to). */
  minOver(from: number, to: number): number {
    let i = this.indexAt(from);
    let min = this.values[i] ?? 0;
    for (i++; i < this.times.length && (this.times[i] ?? 0) < to; i++) min = Math.min(min, this.values[i] ?? 0);
    return min;
  }

  /** The first time in [from, to) at which the value is below `need`; `to` when it never is. */
  firstBelow(from: number, to: number, need: number): number {
    let i = this.indexAt(from);
    if ((this.values[i] ?? 0) < need) return from;
    for (i++; i < this.times.length && (this.times[i] ?? 0) < to; i++) {
      if ((this.values[i] ?? 0) < need) return this.times[i] ?? to;
    }
    return to;
  }

  /** The earliest t ≥ from with value ≥ need throughout [t, t + duration); Infinity if never. */
  earliestFit(from: number, durationS: number, need: number): number {
    let start = Math.max(from, this.originS);
    let i = this.indexAt(start);
    const n = this.times.length;
    while (i < n) {
      // Walk the segments the run would cover; on the first too-low one, restart after it.
      let j = i;
      let ok = true;
      const end = start + durationS;
      while (j < n && (j === i || (this.times[j] ?? 0) < end)) {
        if ((this.values[j] ?? 0) < need) {
          ok = false;
          break;
        }
        j++;
      }
      if (ok) return start;
      if (j + 1 >= n) return Number.POSITIVE_INFINITY;
      i = j + 1;
      start = this.times[i] ?? Number.POSITIVE_INFINITY;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Breakpoints, for tests and explanations. */
  steps(): { atS: number; value: number }[] {
    return this.times.map((atS, i) => ({ atS, value: this.values[i] ?? 0 }));
  }

  private indexAt(t: number): number {
    // Binary search for the last breakpoint ≤ t.
    let lo = 0;
    let hi = this.times.length - 1;
    if (t <= (this.times[0] ?? 0)) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.times[mid] ?? 0) <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Ensures a breakpoint at t and returns its index. */
  private split(t: number): number {
    const i = this.indexAt(t);
    if (this.times[i] === t) return i;
    this.times.splice(i + 1, 0, t);
    this.values.splice(i + 1, 0, this.values[i] ?? 0);
    return i + 1;
  }

  /** Drops breakpoint i if it does not change the value. */
  private mergeAt(i: number): void {
    if (i > 0 && this.values[i] === this.values[i - 1]) {
      this.times.splice(i, 1);
      this.values.splice(i, 1);
    }
  }
}
