/**
 * The simulator's event queue (SimPy's): a binary heap ordered by (time, priority, sequence).
 * The sequence number is the order of scheduling, so events at the same time and priority come
 * out first in, first out, and the order is total: the same inputs always give the same run.
 */
export class EventQueue<T> {
  private readonly timeS: number[] = [];
  private readonly priority: number[] = [];
  private readonly seq: number[] = [];
  private readonly items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  /** Schedules `item` at `timeS`; lower `priority` first among events at the same time. */
  push(timeS: number, priority: number, item: T): void {
    if (Number.isNaN(timeS)) throw new Error('event time is NaN');
    this.timeS.push(timeS);
    this.priority.push(priority);
    this.seq.push(this.nextSeq++);
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  /** The time of the next event; Infinity when empty. */
  peekTimeS(): number {
    return this.timeS[0] ?? Number.POSITIVE_INFINITY;
  }

  /** Takes the next event out; undefined when empty. */
  pop(): { timeS: number; priority: number; item: T } | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = { timeS: this.timeS[0] as number, priority: this.priority[0] as number, item: this.items[0] as T };
    const last = n - 1;
    this.move(last, 0);
    this.timeS.pop();
    this.priority.pop();
    this.seq.pop();
    this.items.pop();
    if (last > 0) this.down(0);
    return top;
  }

  private less(i: number, j: number): boolean {
    const ti = this.timeS[i] as number;
    const tj = this.timeS[j] as number;
    if (ti !== tj) return ti < tj;
    const pi = this.priority[i] as number;
    const pj = this.priority[j] as number;
    if (pi !== pj) return pi < pj;
    return (this.seq[i] as number) < (this.seq[j] as number);
  }

  private move(from: number, to: number): void {
    this.timeS[to] = this.timeS[from] as number;
    this.priority[to] = this.priority[from] as number;
    this.seq[to] = this.seq[from] as number;
    this.items[to] = this.items[from] as T;
  }

  private swap(i: number, j: number): void {
    const t = this.timeS[i] as number;
    const p = this.priority[i] as number;
    const s = this.seq[i] as number;
    const x = this.items[i] as T;
    this.move(j, i);
    this.timeS[j] = t;
    this.priority[j] = p;
    this.seq[j] = s;
    this.items[j] = x;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
