/**
 * Buffers an evaluation reuses from one job to the next. They belong to a cycle (`cycle.scratch`),
 * not to the module, so two cycles — a quote during a decision, two engines in one thread — never
 * share them.
 */
export class Scratch {
  readonly columns = new Columns();
  readonly ranking = new RankingBuffers();
}

/**
 * Feasible options of one job, as columns (struct of arrays): the hot path keeps numbers, not
 * objects. Grown as needed; an evaluation copies out what it keeps.
 */
export class Columns {
  size = 0;
  pool = new Int32Array(0);
  choice = new Int32Array(0);
  startS = new Float64Array(0);
  earliestS = new Float64Array(0);
  /** What bound the earliest start: 0 nothing, 1 capacity, 2 power. */
  bound = new Uint8Array(0);
  cents = new Float64Array(0);
  /** One column per score plug-in: its raw measure of each option. */
  measures: Float64Array[] = [];

  reset(plugins: number): void {
    this.size = 0;
    while (this.measures.length < plugins) this.measures.push(new Float64Array(this.pool.length));
  }

  push(pool: number, choice: number, startS: number, earliestS: number, bound: number, cents: number): number {
    const i = this.size++;
    if (i >= this.pool.length) this.grow(Math.max(16, this.pool.length * 2));
    this.pool[i] = pool;
    this.choice[i] = choice;
    this.startS[i] = startS;
    this.earliestS[i] = earliestS;
    this.bound[i] = bound;
    this.cents[i] = cents;
    return i;
  }

  private grow(n: number): void {
    this.pool = grown(this.pool, new Int32Array(n));
    this.choice = grown(this.choice, new Int32Array(n));
    this.startS = grown(this.startS, new Float64Array(n));
    this.earliestS = grown(this.earliestS, new Float64Array(n));
    this.bound = grown(this.bound, new Uint8Array(n));
    this.cents = grown(this.cents, new Float64Array(n));
    this.measures = this.measures.map((m) => grown(m, new Float64Array(n)));
  }
}

/** Per-option scores while ranking: one plug-in's, the three objectives', the totals and the sort key. */
export class RankingBuffers {
  scores = new Int32Array(0);
  objectives: [Float64Array, Float64Array, Float64Array] = [
    new Float64Array(0),
    new Float64Array(0),
    new Float64Array(0),
  ];
  totals = new Float64Array(0);
  key = new Float64Array(0);

  /** Makes room for n options; the objective sums start at 0. */
  reset(n: number): void {
    if (this.scores.length < n) {
      const size = Math.max(n, this.scores.length * 2);
      this.scores = new Int32Array(size);
      this.objectives = [new Float64Array(size), new Float64Array(size), new Float64Array(size)];
      this.totals = new Float64Array(size);
      this.key = new Float64Array(size);
    } else for (const o of this.objectives) o.fill(0, 0, n);
  }
}

function grown<T extends Int32Array | Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
