import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../decide.ts';
import type { Network } from '../domain/network.ts';
import { H100, job, running, site, T0, testNetwork } from '../network.fixture.ts';
import { NodeOccupancy } from './nodes.ts';
import { buildProfile, DEFAULT_PROFILE_SPEC } from './registry.ts';

const fifo = buildProfile({ ...DEFAULT_PROFILE_SPEC, queueSort: 'priority-fifo', timeShift: false });

/** One site with 16 H100 (two nodes of 8 when `nodeSize` is given). */
function oneSite(nodeSize?: number): Network {
  return {
    ...testNetwork(),
    name: 'nodes',
    accelerators: [H100],
    sites: [
      site('dc', {
        pools: [
          {
            id: 'dc-h100',
            accelerator: 'H100',
            count: 16,
            ...(nodeSize ? { nodeSize } : {}),
            priceCnyPerAcceleratorHour: 10,
            backend: 'sim',
          },
        ],
      }),
    ],
  };
}

describe('NodeOccupancy', () => {
  it('puts a member on the fullest node that holds it, and a larger one on whole nodes', () => {
    const occ = new NodeOccupancy(32, 8);
    occ.take([{ node: 1, count: 5 }]);
    expect(occ.assign(2, 1)).toEqual([{ node: 1, count: 2 }]);
    expect(occ.assign(4, 1)).toEqual([{ node: 0, count: 4 }]);
    expect(occ.assign(12, 1)).toEqual([
      { node: 0, count: 8 },
      { node: 2, count: 4 },
    ]);
    expect(occ.assign(8, 3)).toEqual([
      { node: 0, count: 8 },
      { node: 2, count: 8 },
      { node: 3, count: 8 },
    ]);
    expect(occ.assign(8, 4)).toBeUndefined();
    expect(occ.fragmented).toBe(3);
  });

  it('gives the last node what is left when the count is not a multiple of the size', () => {
    const occ = new NodeOccupancy(20, 8);
    expect(occ.nodes).toBe(3);
    expect(occ.capacityOf(2)).toBe(4);
    expect(occ.fits(4, 5)).toBe(true);
    expect(occ.fits(5, 3)).toBe(false);
  });

  it('never places more than a node holds, and fits agrees with assign (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 80 }),
        fc.array(fc.record({ perMember: fc.integer({ min: 1, max: 40 }), members: fc.integer({ min: 1, max: 4 }) }), {
          maxLength: 20,
        }),
        (size, count, asks) => {
          const occ = new NodeOccupancy(count, size);
          let used = 0;
          for (const a of asks) {
            const shares = occ.assign(a.perMember, a.members);
            expect(shares !== undefined).toBe(occ.fits(a.perMember, a.members));
            if (!shares) continue;
            expect(shares.reduce((n, s) => n + s.count, 0)).toBe(a.perMember * a.members);
            occ.take(shares);
            used += a.perMember * a.members;
            for (let i = 0; i < occ.nodes; i++) {
              expect(occ.free[i]).toBeGreaterThanOrEqual(0);
              expect(occ.free[i]).toBeLessThanOrEqual(occ.capacityOf(i));
            }
          }
          const free = occ.free.reduce((n, f) => n + f, 0);
          expect(free).toBe(count - used);
          let partly = 0;
          for (let i = 0; i < occ.nodes; i++) {
            const f = occ.free[i] as number;
            if (f > 0 && f < occ.capacityOf(i)) partly += f;
          }
          expect(occ.fragmented).toBe(partly);
        },
      ),
    );
  });
});

describe('pools with a node size', () => {
  // 4 busy on each node: 8 free in all, but no node has 8.
  const allocations = [
    running('a', 'dc-h100', 4, { endS: T0 + 3600, nodes: [{ node: 0, count: 4 }] }),
    running('b', 'dc-h100', 4, { endS: T0 + 7200, nodes: [{ node: 1, count: 4 }] }),
  ];
  const eight = job('eight', { options: [{ accelerator: 'H100', perMember: 8 }] });

  it('starts a job of 8 on an undivided pool with 8 free anywhere', () => {
    const { decisions } = decide({ network: oneSite(), allocations, queue: [eight] }, T0, { profile: fifo });
    expect(decisions[0]?.kind).toBe('place');
  });

  it('makes a job of 8 wait for a whole node, and says so', () => {
    const { decisions } = decide({ network: oneSite(8), allocations, queue: [eight] }, T0, { profile: fifo });
    const d = decisions[0];
    // The first node empties when `a` ends.
    expect(d).toMatchObject({ kind: 'reserve', placement: { estimate: { startS: T0 + 3600 } } });
    expect(d?.kind === 'reserve' ? d.reason : '').toContain('in nodes of 8');
  });

  it('packs a small job beside a running one and names its node', () => {
    const four = job('four', { options: [{ accelerator: 'H100', perMember: 3 }], gang: 2 });
    const { decisions } = decide({ network: oneSite(8), allocations, queue: [four] }, T0, { profile: fifo });
    expect(decisions[0]).toMatchObject({
      kind: 'place',
      placement: {
        nodes: [
          { node: 0, count: 3 },
          { node: 1, count: 3 },
        ],
      },
    });
  });

  it('rejects a gang that can never fit the nodes, with the reason', () => {
    const odd = job('odd', { options: [{ accelerator: 'H100', perMember: 5 }], gang: 3 });
    const { decisions } = decide({ network: oneSite(8), allocations: [], queue: [odd] }, T0, { profile: fifo });
    const d = decisions[0];
    expect(d).toMatchObject({ kind: 'wait', unresolvable: true });
    expect(d?.kind === 'wait' ? d.reason : '').toContain('2 nodes of 8');
  });

  it('packs allocations placed before the pool had a node size', () => {
    const legacy = [running('x', 'dc-h100', 12, { endS: T0 + 3600 })];
    const { decisions } = decide({ network: oneSite(8), allocations: legacy, queue: [eight] }, T0, { profile: fifo });
    // 12 take a whole node and half of the other: 4 free, not 8.
    expect(decisions[0]?.kind).not.toBe('place');
  });
});
