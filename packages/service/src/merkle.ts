import { createHash } from 'node:crypto';

/**
 * The Merkle tree of RFC 6962 (Certificate Transparency) over the audit log, with SHA-256:
 *
 *   MTH({})        = SHA-256()
 *   MTH({d0})      = SHA-256(0x00 ‖ d0)                        leaf
 *   MTH(D[0:n])    = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))  node, k the largest power of 2 < n
 *
 * Leaves and nodes hash with different prefixes, so an interior node can never pass for a leaf,
 * and an odd last leaf is never duplicated. Proofs are those of RFC 6962 §2.1.1–2.1.2; the
 * verifiers follow RFC 9162 §2.1.3.2 and §2.1.4.2 and return false, never throw, on any bad input.
 */

export type Hash = Uint8Array;

export const HASH_BYTES = 32;

export const EMPTY_ROOT: Hash = createHash('sha256').digest();

export function leafHash(data: Uint8Array): Hash {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

const LEAF_PREFIX = Uint8Array.of(0);
const NODE_PREFIX = Uint8Array.of(1);

/** The largest power of two smaller than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * An append-only Merkle tree of leaf hashes. It keeps the hash of every complete, aligned subtree
 * (levels[h][i] covers leaves [i·2^h, (i+1)·2^h)), so a root or proof for any tree size costs
 * O(log² n) hashes, not O(n).
 */
export class MerkleTree {
  private readonly levels: Uint8Array[] = [new Uint8Array(1024 * HASH_BYTES)];
  private readonly counts: number[] = [0];

  get size(): number {
    return this.counts[0] as number;
  }

  append(leaf: Hash): void {
    if (leaf.length !== HASH_BYTES) throw new TypeError('a leaf hash has 32 bytes');
    let h = 0;
    let node = leaf;
    for (;;) {
      const index = this.counts[h] ?? 0;
      this.put(h, index, node);
      // A right child completes its parent.
      if (index % 2 === 0) break;
      node = nodeHash(this.get(h, index - 1), node);
      h++;
    }
  }

  /** The tree head of the first `size` leaves. */
  root(size = this.size): Hash {
    this.check(size);
    return size === 0 ? EMPTY_ROOT : this.range(0, size);
  }

  /** Hash of leaf `index`. */
  leaf(index: number): Hash {
    if (!(Number.isInteger(index) && index >= 0 && index < this.size)) throw new RangeError(`no leaf ${index}`);
    return this.get(0, index);
  }

  /** PATH(m, D[n]) of RFC 6962 §2.1.1: the audit path of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size = this.size): Hash[] {
    this.check(size);
    if (!(Number.isInteger(index) && index >= 0 && index < size)) {
      throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
    }
    const proof: Hash[] = [];
    const path = (m: number, start: number, n: number): void => {
      if (n <= 1) return;
      const k = split(n);
      if (m < k) {
        path(m, start, k);
        proof.push(this.range(start + k, start + n));
      } else {
        path(m - k, start + k, n - k);
        proof.push(this.range(start, start + k));
      }
    };
    path(index, 0, size);
    return proof;
  }

  /** PROOF(m, D[n]) of RFC 6962 §2.1.2: that the tree of `first` leaves is a prefix of the one of `second`. */
  consistencyProof(first: number, second = this.size): Hash[] {
    this.check(second);
    if (!(Number.isInteger(first) && first >= 0 && first <= second)) {
      throw new RangeError(`cannot prove ${first} consistent with ${second}`);
    }
    const proof: Hash[] = [];
    if (first === 0 || first === second) return proof;
    const sub = (m: number, start: number, n: number, whole: boolean): void => {
      if (m === n) {
        if (!whole) proof.push(this.range(start, start + n));
        return;
      }
      const k = split(n);
      if (m <= k) {
        sub(m, start, k, whole);
        proof.push(this.range(start + k, start + n));
      } else {
        sub(m - k, start + k, n - k, false);
        proof.push(this.range(start, start + k));
      }
    };
    sub(first, 0, second, true);
    return proof;
  }

  /** MTH(D[from:to]) from the stored complete subtrees. */
  private range(from: number, to: number): Hash {
    const n = to - from;
    if (n === 1) return this.get(0, from);
    // A complete, aligned subtree is stored.
    if ((n & (n - 1)) === 0 && from % n === 0) {
      const h = Math.log2(n);
      if (from / n < (this.counts[h] ?? 0)) return this.get(h, from / n);
    }
    const k = split(n);
    return nodeHash(this.range(from, from + k), this.range(from + k, to));
  }

  private check(size: number): void {
    if (!(Number.isInteger(size) && size >= 0 && size <= this.size)) {
      throw new RangeError(`the tree has ${this.size} leaves, not ${size}`);
    }
  }

  private get(h: number, i: number): Hash {
    const level = this.levels[h] as Uint8Array;
    return level.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
  }

  private put(h: number, i: number, hash: Hash): void {
    let level = this.levels[h];
    if (!level) {
      level = new Uint8Array(64 * HASH_BYTES);
      this.levels[h] = level;
      this.counts[h] = 0;
    }
    if ((i + 1) * HASH_BYTES > level.length) {
      const grown = new Uint8Array(level.length * 2);
      grown.set(level);
      level = grown;
      this.levels[h] = level;
    }
    level.set(hash, i * HASH_BYTES);
    this.counts[h] = i + 1;
  }
}

function isHash(x: unknown): x is Hash {
  return x instanceof Uint8Array && x.length === HASH_BYTES;
}

function equal(a: Hash, b: Hash): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

/** RFC 9162 §2.1.3.2: does `proof` show `leaf` at `index` in the tree of `size` with head `root`? */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): boolean {
  if (!isHash(leaf) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

/** RFC 9162 §2.1.4.2: is the tree of `first` leaves with head `root1` a prefix of the one of `second` with `root2`? */
export function verifyConsistency(
  first: number,
  second: number,
  root1: Hash,
  root2: Hash,
  proof: readonly Hash[],
): boolean {
  if (!isHash(root1) || !isHash(root2) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second) && first >= 0 && first <= second)) return false;
  if (first === second) return proof.length === 0 && equal(root1, root2);
  if (first === 0) return proof.length === 0 && equal(root1, EMPTY_ROOT);
  if (proof.length === 0) return false;
  let path = [...proof];
  // A first tree that is a complete subtree is not in the proof: it is root1 itself.
  if ((first & (first - 1)) === 0) path = [root1, ...path];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Hash;
  let sr = path[0] as Hash;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, root1) && equal(sr, root2);
}
