import { describe, expect, it } from 'vitest';
import { defaultProfile } from '../framework/registry.ts';
import { Ledger, runCycle } from '../ledger/ledger.ts';
import { T0, testNetwork } from '../network.fixture.ts';
import { autoscale, type ReplicaView, regionMinimums, replicaCapacity } from './autoscale.ts';
import { replicaJob } from './replica.ts';
import { Router } from './route.ts';
import { demandAt, type ServiceSpec } from './service.ts';
import { sloSites, ttftMs } from './slo.ts';

/** Users at `east` (Shanghai) by day, at `west` (Inner Mongolia) few; 100 req/s at the east's peak hour (20:00). */
const day = (peak: number) =>
  Array.from({ length: 24 }, (_, h) => Math.round(peak * (0.2 + 0.8 * Math.exp(-(((h - 20) / 4) ** 2)))));

const service = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  id: 'chat',
  tenant: 't',
  perReplica: [{ accelerator: 'H100', perMember: 8 }],
  minReplicas: 2,
  maxReplicas: 20,
  guaranteed: 2,
  targetPerReplica: 10,
  sloMs: 600,
  inferenceMs: 150,
  demand: [
    { regionId: 'east', requestsPerS: day(100) },
    { regionId: 'west', requestsPerS: day(10) },
  ],
  ...over,
});

/** 20:00 in UTC+8 on T0's day. */
const EVENING = T0 + 12 * 3600;

describe('serving: SLO sites, autoscaling with hysteresis, routing', () => {
  it('reads the daily curve in UTC+8 and finds the sites within the SLO, nearest first', () => {
    const s = service();
    expect(demandAt(s.demand[0] as ServiceSpec['demand'][number], EVENING + 1800)).toBe(100);
    const sites = sloSites(testNetwork(), s);
    expect(sites.get('east')?.[0]?.site.site.id).toBe('east');
    for (const x of sites.get('east') ?? []) expect(ttftMs(x.rttMs, 150, 0.7)).toBeLessThanOrEqual(600);
    // A tighter SLO leaves only the region's own site; one below any round trip leaves none.
    expect(
      sloSites(testNetwork(), service({ sloMs: 503 }))
        .get('east')
        ?.map((x) => x.site.site.id),
    ).toEqual(['east']);
    expect(sloSites(testNetwork(), service({ sloMs: 400 })).get('east')).toEqual([]);
  });

  it('scales up at once before the peak, and down one replica at a time only after the cooldown', () => {
    const s = service();
    expect(regionMinimums(s)).toEqual(
      new Map([
        ['east', 2],
        ['west', 0],
      ]),
    );
    // Evening: 100 req/s at 10 a replica → 10 in the east, 1 in the west (its 10 req/s).
    const up = autoscale(s, [], EVENING + 1800, new Map());
    expect(up.up.filter((u) => u.regionId === 'east')).toHaveLength(10);
    expect(up.up.filter((u) => u.guaranteed)).toHaveLength(2);
    expect(up.up[0]?.reason).toMatch(/^east: 100\.0 req\/s planned needs 10 replicas at 10 req\/s each/);
    const replicas: ReplicaView[] = up.up.map((u, i) => ({
      id: `r${String(i).padStart(2, '0')}`,
      regionId: u.regionId,
      guaranteed: u.guaranteed,
      running: true,
    }));
    // Night (04:00): the east needs 2; it drops one replica after the 30 min cooldown, not before.
    const night = T0 - 4 * 3600;
    const first = autoscale(s, replicas, night, new Map());
    expect(first.down).toEqual([]);
    const later = autoscale(s, replicas, night + 1799, first.memory);
    expect(later.down).toEqual([]);
    const now = autoscale(s, replicas, night + 1800, later.memory);
    expect(now.down).toHaveLength(1);
    // A burst replica goes first, never a guaranteed one while burst ones remain.
    expect(replicas.find((r) => r.id === now.down[0]?.replicaId)?.guaranteed).toBe(false);
    // A load that rises again resets the cooldown.
    const busy = autoscale(s, replicas, night + 1800, later.memory, new Map([['east', 95]]));
    expect(busy.down).toEqual([]);
    expect(busy.memory.has('east')).toBe(false);
    // Never above max.
    expect(autoscale(service({ maxReplicas: 4 }), [], EVENING + 1800, new Map()).up).toHaveLength(4);
  });

  it('places a guaranteed replica near its users and a burst replica where it is cheaper and greener within the SLO', () => {
    const net = testNetwork();
    const s = service({ sloMs: 700 });
    const sites = sloSites(net, s).get('east') ?? [];
    expect(sites.length).toBe(3);
    const ledger = new Ledger(net, defaultProfile(), { cycleS: 0 });
    ledger.enqueue(replicaJob(s, 'g', 'east', true, sites.slice(0, 1), T0), T0);
    ledger.enqueue(replicaJob(s, 'b', 'east', false, sites, T0), T0);
    const d = runCycle(ledger, T0, {}, () => {})?.decisions ?? [];
    const at = (id: string) => {
      const x = d.find((y) => y.jobId === id);
      return x?.kind === 'place' ? x.placement.siteId : undefined;
    };
    expect(at('g')).toBe('east');
    // The east's H100 cost 18 CNY an hour; west (11) and hydro (12, on a green grid) are within the SLO.
    expect(['west', 'hydro']).toContain(at('b'));
    expect(replicaJob(s, 'b', 'east', false, sites, T0)).toMatchObject({
      kind: 'serve',
      preemptible: true,
      priority: 50,
      startWithinS: 120,
    });
  });

  it('routes to the replica with the lowest expected time to first token, weighing load', () => {
    const s = service();
    const router = new Router(
      testNetwork(),
      s,
      [
        { id: 'near', siteId: 'east', loadPerS: 0 },
        { id: 'far', siteId: 'west', loadPerS: 0 },
      ],
      ['east', 'west'],
    );
    expect(router.route('east')).toMatchObject({ replicaId: 'near', siteId: 'east' });
    expect(router.route('west')).toMatchObject({ replicaId: 'far' });
    // The near one nearly full: the far one answers sooner.
    router.observe('near', replicaCapacity(s) * 0.97);
    expect(router.route('east')?.replicaId).toBe('far');
    expect(router.route('nowhere')).toBeUndefined();
  });

  it('starts a replica now or not at all: no reservation for later, and batch work of lower priority makes room', () => {
    const net = testNetwork();
    const s = service({ sloMs: 503 });
    const east = sloSites(net, s).get('east') ?? [];
    const ledger = new Ledger(net, defaultProfile(), { cycleS: 0 });
    // The east's 16 H100 are taken by a batch job of normal priority, preemptible.
    ledger.hold({
      jobId: 'batch',
      tenant: 'u',
      kind: 'train',
      poolId: 'east-h100',
      accelerator: 'H100',
      count: 16,
      startS: T0 - 3600,
      endS: T0 + 36_000,
      priority: 0,
      preemptible: true,
    });
    ledger.enqueue(replicaJob(s, 'b', 'east', false, east, T0), T0);
    const d = runCycle(ledger, T0, {}, () => {})?.decisions[0];
    // Not reserved for when the batch job ends: the burst replica (priority 50) stops it now.
    expect(d?.kind).toBe('place');
    expect(d?.kind === 'place' && d.preempts.map((p) => p.jobId)).toEqual(['batch']);
  });

  it('lets higher-priority work preempt burst replicas only, never a guaranteed one', () => {
    const net = testNetwork();
    const s = service({ sloMs: 503 });
    const east = sloSites(net, s).get('east') ?? [];
    const ledger = new Ledger(net, defaultProfile(), { cycleS: 0 });
    const hold = (job: ReturnType<typeof replicaJob>) =>
      ledger.hold({
        jobId: job.id,
        tenant: job.tenant,
        kind: job.kind,
        poolId: 'east-h100',
        accelerator: 'H100',
        count: 8,
        startS: T0 - 600,
        endS: T0 + 86_400,
        priority: job.priority,
        preemptible: job.preemptible,
      });
    hold(replicaJob(s, 'guaranteed', 'east', true, east, T0 - 600));
    hold(replicaJob(s, 'burst', 'east', false, east, T0 - 600));
    // Urgent work for the east's H100 only, 8 of them, above every replica.
    ledger.enqueue(
      {
        id: 'urgent',
        name: 'urgent',
        tenant: 'u',
        kind: 'finetune',
        options: [{ accelerator: 'H100', perMember: 8 }],
        gang: 1,
        durationS: 3600,
        datasets: [],
        objective: { cost: 1, carbon: 1, time: 1 },
        priority: 1000,
        preemptible: false,
        submittedAtS: T0 - 7200,
        sites: ['east'],
      },
      T0,
    );
    const d = runCycle(ledger, T0, {}, () => {})?.decisions[0];
    expect(d?.kind === 'place' && d.preempts.map((p) => p.jobId)).toEqual(['burst']);
  });
});
