/**
 * FNV-1a of a string, mixed with a seed: the same text and seed give the same number on every
 * platform. Trace mapping uses it so that a job's tenant, origin and kind never depend on order.
 */
export function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche (murmur3 fmix32), so that nearby strings spread out.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A number in [0, 1) from the hash of `text` under `seed`. */
export function unit(text: string, seed: number): number {
  return hash32(text, seed) / 4294967296;
}
