import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, type Hash, leafHash, MerkleTree, nodeHash, verifyConsistency, verifyInclusion } from './merkle.ts';

const hex = (h: Uint8Array) => Buffer.from(h).toString('hex');
const unhex = (s: string): Hash => new Uint8Array(Buffer.from(s, 'hex'));

// The test vectors of Certificate Transparency's reference implementation (RFC 6962 trees of the
// eight inputs below), as used by every RFC 6962 log.
const INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const CONSISTENCY = [
  {
    first: 2,
    second: 8,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

function tree(leaves: readonly Hash[]): MerkleTree {
  const t = new MerkleTree();
  for (const l of leaves) t.append(l);
  return t;
}

/** MTH straight from the RFC's recursive definition, to check the stored-subtree shortcut against. */
function mth(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0] as Hash;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

describe('RFC 6962 Merkle tree', () => {
  const leaves = INPUTS.map((s) => leafHash(unhex(s)));
  const t = tree(leaves);

  it('gives the reference tree head for every size 0..8', () => {
    expect(hex(EMPTY_ROOT)).toBe(ROOTS[0]);
    for (let n = 0; n <= 8; n++) expect(hex(t.root(n)), `size ${n}`).toBe(ROOTS[n]);
  });

  it('gives the reference inclusion and consistency proofs, and they verify', () => {
    for (const v of INCLUSION) {
      expect(t.inclusionProof(v.index, v.size).map(hex)).toEqual(v.proof);
      expect(
        verifyInclusion(leaves[v.index] as Hash, v.index, v.size, v.proof.map(unhex), unhex(ROOTS[v.size] as string)),
      ).toBe(true);
    }
    for (const v of CONSISTENCY) {
      expect(t.consistencyProof(v.first, v.second).map(hex)).toEqual(v.proof);
      const [r1, r2] = [unhex(ROOTS[v.first] as string), unhex(ROOTS[v.second] as string)];
      expect(verifyConsistency(v.first, v.second, r1, r2, v.proof.map(unhex))).toBe(true);
    }
  });

  const many = Array.from({ length: 70 }, (_, i) => leafHash(Uint8Array.of(i, i * 7)));
  const big = tree(many);
  const roots = Array.from({ length: 71 }, (_, n) => mth(many.slice(0, n)));

  it('matches the recursive definition, and every proof of every size verifies', () => {
    for (let n = 0; n <= 70; n++) {
      expect(hex(big.root(n))).toBe(hex(roots[n] as Hash));
      for (let i = 0; i < n; i++) {
        expect(verifyInclusion(many[i] as Hash, i, n, big.inclusionProof(i, n), roots[n] as Hash)).toBe(true);
      }
      for (let m = 0; m <= n; m++) {
        expect(verifyConsistency(m, n, roots[m] as Hash, roots[n] as Hash, big.consistencyProof(m, n))).toBe(true);
      }
    }
  });

  it('rejects tampered proofs: a flipped byte, swapped, cut or extended paths, wrong index or size', () => {
    const junk = new Uint8Array(32).fill(0xab);
    for (let n = 2; n <= 40; n++) {
      for (let i = 0; i < n; i++) {
        const proof = big.inclusionProof(i, n);
        const root = roots[n] as Hash;
        const leaf = many[i] as Hash;
        const flipped = proof.map((p) => Uint8Array.from(p));
        const f0 = flipped[0] as Uint8Array;
        f0[5] = (f0[5] as number) ^ 1;
        expect(verifyInclusion(leaf, i, n, flipped, root)).toBe(false);
        expect(verifyInclusion(leaf, i, n, proof.slice(0, -1), root)).toBe(false);
        expect(verifyInclusion(leaf, i, n, [...proof, junk], root)).toBe(false);
        if (proof.length >= 2 && hex(proof[0] as Hash) !== hex(proof[1] as Hash)) {
          expect(verifyInclusion(leaf, i, n, [proof[1] as Hash, proof[0] as Hash, ...proof.slice(2)], root)).toBe(
            false,
          );
        }
        if (i + 1 < n) expect(verifyInclusion(leaf, i + 1, n, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, n, n, proof, root)).toBe(false);
      }
      for (let m = 1; m < n; m++) {
        const proof = big.consistencyProof(m, n);
        const [r1, r2] = [roots[m] as Hash, roots[n] as Hash];
        const flipped = proof.map((p) => Uint8Array.from(p));
        const f0 = flipped[0] as Uint8Array;
        f0[3] = (f0[3] as number) ^ 0x80;
        expect(verifyConsistency(m, n, r1, r2, flipped)).toBe(false);
        expect(verifyConsistency(m, n, r1, r2, proof.slice(0, -1))).toBe(false);
        expect(verifyConsistency(m, n, r1, r2, [...proof, junk])).toBe(false);
        expect(verifyConsistency(m, n, r2, r1, proof)).toBe(false);
        expect(verifyConsistency(n, m, r2, r1, proof)).toBe(false);
      }
    }
    expect(verifyConsistency(4, 4, roots[4] as Hash, roots[5] as Hash, [])).toBe(false);
    expect(verifyConsistency(0, 8, roots[1] as Hash, roots[8] as Hash, [])).toBe(false);
    expect(verifyInclusion(new Uint8Array(31), 0, 8, [], roots[8] as Hash)).toBe(false);
    expect(() => big.inclusionProof(70, 70)).toThrow(RangeError);
    expect(() => big.consistencyProof(5, 71)).toThrow(RangeError);
  });
});
