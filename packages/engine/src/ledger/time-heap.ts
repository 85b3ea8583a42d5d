/** Times, each once, smallest first: when the ledger's next cycles fall due. */
export class TimeHeap {
  private readonly heap: number[] = [];
  private readonly members = new Set<number>();

  /** Adds a time; false when it is there already. */
  add(t: number): boolean {
    if (this.members.has(t)) return false;
    this.members.add(t);
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as number) <= t) break;
      h[i] = h[parent] as number;
      i = parent;
    }
    h[i] = t;
    return true;
  }

  /** The smallest time; Infinity when empty. */
  peek(): number {
    return this.heap[0] ?? Number.POSITIVE_INFINITY;
  }

  /** Removes every time ≤ t. */
  popUntil(t: number): void {
    while (this.heap.length > 0 && (this.heap[0] as number) <= t) this.pop();
  }

  get size(): number {
    return this.heap.length;
  }

  private pop(): void {
    const h = this.heap;
    const top = h[0] as number;
    this.members.delete(top);
    const last = h.pop() as number;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && (h[r] as number) < (h[l] as number) ? r : l;
      if ((h[c] as number) >= last) break;
      h[i] = h[c] as number;
      i = c;
    }
    h[i] = last;
  }
}
