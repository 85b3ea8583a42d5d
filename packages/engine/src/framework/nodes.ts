import type { NodeShare } from '../domain/snapshot.ts';

/**
 * Which nodes of a pool hold accelerators, and how many are free on each. A pool with a node size
 * has `ceil(count / size)` nodes of `size` accelerators (the last one holds what is left). A gang
 * member never straddles nodes: one of up to `size` accelerators sits on one node (best fit: the
 * node with the fewest free that still hold it), a larger one takes whole free nodes (and one more
 * node for the rest). Free accelerators on nodes that are partly in use are the pool's fragmentation.
 */
export class NodeOccupancy {
  readonly size: number;
  readonly count: number;
  readonly nodes: number;
  /** Free accelerators per node. */
  readonly free: Int32Array;
  /** byFree[f]: how many nodes have f accelerators free. */
  private readonly byFree: Int32Array;
  private scratch: Int32Array;
  /** Free accelerators on nodes that are partly in use. */
  fragmented = 0;

  constructor(count: number, size: number) {
    this.size = size;
    this.count = count;
    this.nodes = Math.ceil(count / size);
    this.free = new Int32Array(this.nodes);
    this.byFree = new Int32Array(size + 1);
    for (let i = 0; i < this.nodes; i++) {
      const cap = this.capacityOf(i);
      this.free[i] = cap;
      this.byFree[cap] = (this.byFree[cap] as number) + 1;
    }
    this.scratch = new Int32Array(size + 1);
  }

  /** Accelerators of node i. */
  capacityOf(i: number): number {
    return i < this.nodes - 1 ? this.size : this.count - this.size * (this.nodes - 1);
  }

  /** A copy, to try releases on. */
  clone(): NodeOccupancy {
    const c = new NodeOccupancy(this.count, this.size);
    c.free.set(this.free);
    c.byFree.set(this.byFree);
    c.fragmented = this.fragmented;
    return c;
  }

  /** Whether shares can be taken as they are: known nodes, each with enough free for all its shares. */
  canTake(shares: readonly NodeShare[]): boolean {
    const wanted = new Map<number, number>();
    for (const s of shares) {
      if (!(Number.isInteger(s.node) && s.node >= 0 && s.node < this.nodes && s.count > 0)) return false;
      const n = (wanted.get(s.node) ?? 0) + s.count;
      if (n > (this.free[s.node] as number)) return false;
      wanted.set(s.node, n);
    }
    return true;
  }

  take(shares: readonly NodeShare[]): void {
    for (const s of shares) this.change(s.node, -s.count);
  }

  give(shares: readonly NodeShare[]): void {
    for (const s of shares) this.change(s.node, s.count);
  }

  private change(node: number, delta: number): void {
    const before = this.free[node] as number;
    const after = before + delta;
    const cap = this.capacityOf(node);
    this.free[node] = after;
    this.byFree[before] = (this.byFree[before] as number) - 1;
    this.byFree[after] = (this.byFree[after] as number) + 1;
    this.fragmented += (after > 0 && after < cap ? after : 0) - (before > 0 && before < cap ? before : 0);
  }

  /** Whether `members` gang members of `perMember` accelerators each fit on the nodes as they are now. */
  fits(perMember: number, members: number): boolean {
    const h = this.scratch;
    h.set(this.byFree);
    const size = this.size;
    const whole = Math.floor(perMember / size);
    const rest = perMember > size ? perMember % size : perMember;
    for (let m = 0; m < members; m++) {
      if (whole > 0 && perMember > size) {
        if ((h[size] as number) < whole) return false;
        h[size] = (h[size] as number) - whole;
        h[0] = (h[0] as number) + whole;
      }
      if (rest === 0) continue;
      let f = rest;
      while (f <= size && h[f] === 0) f++;
      if (f > size) return false;
      h[f] = (h[f] as number) - 1;
      h[f - rest] = (h[f - rest] as number) + 1;
    }
    return true;
  }

  /**
   * Where `members` gang members of `perMember` accelerators each go (best fit, whole nodes for a
   * member larger than a node); undefined when they do not fit. Changes nothing.
   */
  assign(perMember: number, members: number): NodeShare[] | undefined {
    if (!this.fits(perMember, members)) return undefined;
    const free = Int32Array.from(this.free);
    const size = this.size;
    const byNode = new Map<number, number>();
    const put = (node: number, n: number) => {
      free[node] = (free[node] as number) - n;
      byNode.set(node, (byNode.get(node) ?? 0) + n);
    };
    const whole = perMember > size ? Math.floor(perMember / size) : 0;
    const rest = perMember > size ? perMember % size : perMember;
    for (let m = 0; m < members; m++) {
      for (let w = 0, i = 0; w < whole && i < this.nodes; i++) {
        if (free[i] === size) {
          put(i, size);
          w++;
        }
      }
      if (rest === 0) continue;
      let best = -1;
      for (let i = 0; i < this.nodes; i++) {
        const f = free[i] as number;
        if (f >= rest && (best < 0 || f < (free[best] as number))) best = i;
      }
      if (best < 0) return undefined; // cannot happen when `fits` said yes
      put(best, rest);
    }
    return [...byNode.entries()].sort((a, b) => a[0] - b[0]).map(([node, count]) => ({ node, count }));
  }

  /**
   * Where an allocation without a node assignment (placed before its pool had a node size) sits:
   * as one member if it fits so, else first fit over the free accelerators; undefined if even
   * that fails (the pool has shrunk under it).
   */
  pack(count: number): NodeShare[] | undefined {
    const asOne = this.assign(count, 1);
    if (asOne) return asOne;
    const out: NodeShare[] = [];
    let left = count;
    for (let i = 0; i < this.nodes && left > 0; i++) {
      const n = Math.min(left, this.free[i] as number);
      if (n > 0) {
        out.push({ node: i, count: n });
        left -= n;
      }
    }
    return left === 0 ? out : undefined;
  }
}

export interface NodeHold {
  readonly key: string;
  readonly endS: number;
  readonly shares: readonly NodeShare[];
}

/**
 * A pool's nodes in one cycle: who holds which accelerators now, and until when they are expected
 * to, so a gang shape that does not fit now can be told when it will (as holders end, earliest first).
 */
export class PoolNodes {
  readonly occupancy: NodeOccupancy;
  private readonly holds = new Map<string, NodeHold>();
  /** The holds by expected end (then key): the order in which they are assumed to free their nodes. */
  private readonly byEnd: NodeHold[] = [];
  /** Earliest fit by shape (`perMember×members`), until the next change. */
  private readonly ready = new Map<string, number>();
  private empty: NodeOccupancy | undefined;

  constructor(count: number, size: number) {
    this.occupancy = new NodeOccupancy(count, size);
  }

  /** Holds shares for `key` (a job) until `endS`; the shares must be free. */
  hold(key: string, endS: number, shares: readonly NodeShare[]): void {
    if (this.holds.has(key)) throw new Error(`${key} already holds accelerators on these nodes`);
    this.occupancy.take(shares);
    const h: NodeHold = { key, endS, shares };
    this.holds.set(key, h);
    this.byEnd.splice(this.position(h), 0, h);
    this.ready.clear();
  }

  /**
   * Records many holds at once (a cycle's running allocations), their shares already taken on
   * `occupancy`: one sort instead of an insertion each.
   */
  recordTaken(holds: readonly NodeHold[]): void {
    for (const h of holds) {
      this.holds.set(h.key, h);
      this.byEnd.push(h);
    }
    this.byEnd.sort((a, b) => a.endS - b.endS || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.ready.clear();
  }

  /** Where a hold goes in (or is in) `byEnd`: binary search by end, then key. */
  private position(h: NodeHold): number {
    let lo = 0;
    let hi = this.byEnd.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.byEnd[mid] as NodeHold;
      if (m.endS < h.endS || (m.endS === h.endS && m.key < h.key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Gives back what `key` holds; returns it (to hold again on undo), or undefined if it held nothing. */
  release(key: string): { readonly endS: number; readonly shares: readonly NodeShare[] } | undefined {
    const h = this.holds.get(key);
    if (!h) return undefined;
    this.occupancy.give(h.shares);
    this.holds.delete(key);
    this.byEnd.splice(this.position(h), 1);
    this.ready.clear();
    return h;
  }

  /**
   * The earliest time ≥ nowS at which `members` members of `perMember` accelerators fit on the
   * nodes, if holders end when expected and nothing else starts; Infinity if never, not even on
   * empty nodes.
   */
  readyS(perMember: number, members: number, nowS: number): number {
    if (this.occupancy.fits(perMember, members)) return nowS;
    const key = `${perMember}x${members}`;
    const cached = this.ready.get(key);
    if (cached !== undefined) return Math.max(cached, nowS);
    this.empty ??= new NodeOccupancy(this.occupancy.count, this.occupancy.size);
    let at = Number.POSITIVE_INFINITY;
    if (this.empty.fits(perMember, members)) {
      const ends = this.byEnd;
      const trial = this.occupancy.clone();
      for (let i = 0; i < ends.length; i++) {
        const h = ends[i] as NodeHold;
        trial.give(h.shares);
        if (ends[i + 1]?.endS === h.endS) continue;
        if (trial.fits(perMember, members)) {
          at = h.endS;
          break;
        }
      }
    }
    this.ready.set(key, at);
    return Math.max(at, nowS);
  }
}
