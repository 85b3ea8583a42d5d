import { describe, expect, it } from 'vitest';
import { type AuditEntry, canonicalJson, chainEntry, GENESIS_HASH, verifyAuditChain } from './audit.ts';

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      chainEntry(out[i - 1], {
        atS: 1000 + i,
        kind: 'job.submitted',
        subject: `j-${i}`,
        data: { n: i, tags: ['a', 'b'] },
      }),
    );
  }
  return out;
}

async function verify(entries: AuditEntry[]) {
  return verifyAuditChain(
    (async function* () {
      yield entries.slice(0, 3);
      yield entries.slice(3);
    })(),
  );
}

describe('audit chain', () => {
  it('serialises JSON canonically: sorted keys, no spaces', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });

  it('links each entry to the one before it', () => {
    const c = chain(3);
    expect(c[0]?.prevHash).toBe(GENESIS_HASH);
    expect(c[1]?.prevHash).toBe(c[0]?.hash);
    expect(c.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('verifies an intact chain', async () => {
    const c = chain(6);
    expect(await verify(c)).toEqual({ ok: true, entries: 6, headHash: c[5]?.hash });
  });

  it('finds an edit', async () => {
    const c = chain(6);
    c[3] = { ...(c[3] as AuditEntry), data: { n: 99, tags: ['a', 'b'] } };
    expect(await verify(c)).toMatchObject({
      ok: false,
      firstBadSeq: 4,
      problem: 'entry 4 was changed after it was written',
    });
  });

  it('finds a deletion', async () => {
    const c = chain(6);
    c.splice(2, 1);
    expect(await verify(c)).toMatchObject({ ok: false, firstBadSeq: 3 });
  });

  it('finds an insertion, even with a recomputed hash', async () => {
    const c = chain(6);
    const forged = chainEntry(c[1], { atS: 1, kind: 'job.cancelled', subject: 'j-1', data: {} });
    c.splice(2, 0, forged);
    expect(await verify(c)).toMatchObject({ ok: false, firstBadSeq: 4 });
  });

  it('finds a reordering', async () => {
    const c = chain(6);
    [c[1], c[2]] = [c[2] as AuditEntry, c[1] as AuditEntry];
    expect(await verify(c)).toMatchObject({ ok: false, firstBadSeq: 2 });
  });
});
