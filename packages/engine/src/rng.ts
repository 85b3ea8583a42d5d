/** A seeded source of uniform numbers in [0, 1); the engine never calls Math.random. */
export interface Rng {
  next(): number;
}

/** Mulberry32: small, fast, and the same sequence for the same seed on every platform. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
