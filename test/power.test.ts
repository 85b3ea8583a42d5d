import { buildProfile, DEFAULT_PROFILE_SPEC } from '@suanli/engine';
import { type Principal, parseNetwork, SYSTEM } from '@suanli/service';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../packages/server/src/app.ts';
import { type Harness, harness } from '../packages/server/src/harness.fixture.ts';
import { Metrics } from '../packages/server/src/metrics.ts';

/** Two sites in one grid region (Ningxia), a third elsewhere; only `a` has H100. */
const NETWORK = `name: power
sites:
  - id: a
    name: A
    province: Ningxia
    lat: 37.5
    lon: 105.2
    pue: 1.2
    powerCapMw: 5
    gridCarbonKgPerKwh: 0.64
    tariff: { flatCnyPerKwh: 0.4 }
    pools:
      - { id: a-h100, accelerator: H100, count: 32, priceCnyPerAcceleratorHour: 12 }
  - id: b
    name: B
    province: Ningxia
    lat: 37.6
    lon: 105.3
    pue: 1.2
    powerCapMw: 5
    gridCarbonKgPerKwh: 0.64
    tariff: { flatCnyPerKwh: 0.4 }
    pools:
      - { id: b-a100, accelerator: A100, count: 32, priceCnyPerAcceleratorHour: 8 }
  - id: far
    name: Far
    province: Gansu
    lat: 36
    lon: 104
    pue: 1.2
    powerCapMw: 5
    gridCarbonKgPerKwh: 0.6
    tariff: { flatCnyPerKwh: 0.4 }
    pools:
      - { id: far-a100, accelerator: A100, count: 32, priceCnyPerAcceleratorHour: 9 }
regions:
  - id: ningxia
    name: Ningxia grid
    province: Ningxia
    budget: { kw: 9000 }
tenants:
  - { id: lab, name: Lab, sector: research }
`;

/** A day of training on 8 H100 (at site a): checkpointed, preemptible or not. */
const spec = (name: string, preemptible: boolean) =>
  `name: ${name}\nkind: train\ntenant: lab\nresources:\n  accelerators: { H100: 8 }\ndurationS: 86400\npreemptible: ${preemptible}\ncheckpoint: { intervalS: 1800, sizeGb: 10 }\n`;

const grid: Principal = { name: 'dispatch-centre', role: 'grid' };

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

async function running(shedOrder?: string[]): Promise<string[]> {
  h = await harness({
    network: parseNetwork(NETWORK, 'power.yaml'),
    speedup: 60,
    startDelayS: 0,
    ...(shedOrder ? { profile: buildProfile({ ...DEFAULT_PROFILE_SPEC, demandResponse: { shedOrder } }) } : {}),
  });
  const ids: string[] = [];
  for (const [name, p] of [
    ['spot', true],
    ['steady-1', false],
    ['steady-2', false],
  ] as const) {
    ids.push((await h.service.submit({ text: spec(name, p) }, SYSTEM)).id);
  }
  for (let i = 0; i < 3; i++) {
    h.clock.advance(5);
    await h.cycle();
  }
  return ids;
}

describe('grid events in the live service (real SQLite store, sim backend at 60×)', () => {
  it('answers with a plan at once, carries it out, holds new work back, and measures the delivery against the baseline', async () => {
    // This network's profile caps jobs before it pauses them.
    const [spot, steady1] = await running(['burst', 'preemptible', 'cap', 'slack']);
    const view = await h.service.grid.view(SYSTEM);
    const siteA = view.levels.find((l) => l.kind === 'site' && l.id === 'a');
    expect(siteA?.parent).toBe('region:ningxia');
    expect(siteA?.hours).toHaveLength(24);
    expect(siteA?.loadKw).toBeGreaterThan(siteA?.fixedKw ?? 0);

    // Ask for a bit more than one job's power: the preemptible one goes first, then a cap.
    const ev = await h.service.grid.issue({ site: 'a', reductionKw: 10, durationS: 600, complyWithinS: 60 }, grid);
    expect(ev.state).toBe('active');
    expect(ev.plan.feasible).toBe(true);
    expect(ev.plan.actions.map((x) => [x.jobId, x.action])).toEqual([
      [spot, 'preempt'],
      [expect.any(String), 'cap'],
    ]);
    const capped = ev.plan.actions[1];
    expect(capped?.capW).toBeLessThan(675);

    // The next tick carries it out: the spot job is back in the queue, the other runs capped.
    h.clock.advance(5);
    await h.cycle();
    expect((await h.service.getJob(spot as string, SYSTEM)).state).toBe('pending');
    const cappedJob = await h.service.getJob(capped?.jobId ?? '', SYSTEM);
    expect(cappedJob.gridCap?.capW).toBe(capped?.capW);
    expect(cappedJob.state).toBe('running');
    const applied = await h.service.grid.get(ev.id, SYSTEM);
    expect(applied.applied?.done.filter((d) => d.outcome !== 'done')).toEqual([]);
    // New work at site a waits for the event's end; its explanation says why.
    const late = await h.service.submit({ text: spec('late', false) }, SYSTEM);
    h.clock.advance(5);
    await h.cycle();
    const why = await h.service.why(late.id, SYSTEM);
    expect(JSON.stringify(why)).toContain(ev.id);

    // After the window: measured, recorded, and what was asked was delivered.
    for (let i = 0; i < 45; i++) {
      h.clock.advance(15);
      await h.cycle();
    }
    const done = await h.service.grid.get(ev.id, SYSTEM);
    expect(done.state).toBe('reported');
    expect(done.delivery?.askedKwh).toBeCloseTo((10 * 600) / 3600, 6);
    expect(done.delivery?.deliveredKwh).toBeGreaterThanOrEqual(done.delivery?.askedKwh ?? 1);
    expect(done.delivery?.onTime).toBe(true);
    const kinds = (await h.service.listAudit(1, 5000, SYSTEM)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['grid.event', 'grid.applied', 'job.capped', 'grid.delivered']));
    // The work held back runs once the window is over.
    expect(['scheduled', 'running']).toContain((await h.service.getJob(late.id, SYSTEM)).state);
    expect(steady1).toBeDefined();
  });

  it('pauses jobs with slack before it caps, by default; says by how much a plan falls short', async () => {
    const [spot] = await running();
    const small = await h.service.grid.issue(
      { site: 'a', reductionKw: 10, durationS: 600, startS: h.clock.nowS() + 600 },
      grid,
    );
    expect(small.state).toBe('planned');
    expect(small.plan.actions.map((x) => [x.jobId === spot, x.action])).toEqual([
      [true, 'preempt'],
      [false, 'pause'],
    ]);
    const ev = await h.service.grid.issue({ region: 'ningxia', reductionKw: 5000, durationS: 600 }, grid);
    expect(ev.plan.feasible).toBe(false);
    expect(ev.plan.shortfallKw).toBeGreaterThan(4000);
    expect(ev.plan.actions.length).toBeGreaterThan(0);
    // Another tenant's token sees the totals, not the jobs.
    const other: Principal = { name: 'o', role: 'tenant-member', tenant: 'other' };
    const seen = await h.service.grid.get(ev.id, other);
    expect(seen.plan.actions).toEqual([]);
    expect(seen.plan.shortfallKw).toBe(ev.plan.shortfallKw);
    const lab = await h.service.grid.get(ev.id, { name: 'l', role: 'tenant-member', tenant: 'lab' });
    expect(lab.plan.actions.length).toBe(ev.plan.actions.length);
  });

  it('keeps events across a restart: another server reads them from the log', async () => {
    await running();
    const ev = await h.service.grid.issue(
      { site: 'a', ceilingKw: 1, startS: h.clock.nowS() + 3600, durationS: 3600 },
      grid,
    );
    const again = await h.restart();
    const read = await again.service.grid.get(ev.id, SYSTEM);
    expect(read.plan.event.ceiling).toEqual(ev.plan.event.ceiling);
    expect(read.state).toBe('planned');
    await again.store.close();
  });

  it('refuses bad input with the field named, and stores nothing', async () => {
    await running();
    const app = createApp(h.service, {
      webDir: '/nonexistent',
      metrics: new Metrics(h.service),
      log: { error: () => {} },
    });
    const { token: ops } = await h.service.createToken({ name: 'ops', role: 'operator' }, SYSTEM);
    const { token: member } = await h.service.createToken({ name: 'm', role: 'tenant-member', tenant: 'lab' }, SYSTEM);
    const { token: gridToken } = await h.service.createToken({ name: 'grid', role: 'grid' }, SYSTEM);
    const post = (path: string, body: unknown, token = ops) =>
      app.request(path, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
    const before = (await h.service.listAudit(1, 10_000, SYSTEM)).length;
    const cases: [unknown, number, string, string][] = [
      [{ site: 'a', reductionKw: -5, durationS: 600 }, 400, 'INVALID_FIELD', 'reductionKw'],
      [{ region: 'atlantis', reductionKw: 5, durationS: 600 }, 422, 'UNKNOWN_REGION', 'region'],
      [{ site: 'a', reductionKw: 5, durationS: 600, startS: 1000 }, 400, 'INVALID_FIELD', 'startS'],
      [{ site: 'a', reductionKw: 5, durationS: 600, complyWithinS: 900 }, 400, 'INVALID_FIELD', 'complyWithinS'],
      [{ site: 'a', durationS: 600 }, 400, 'INVALID_FIELD', 'reductionKw'],
      [{ site: 'a', region: 'ningxia', reductionKw: 5, durationS: 600 }, 400, 'INVALID_FIELD', 'region'],
      [{ site: 'a', reductionKw: 5, durationS: 10 }, 400, 'INVALID_FIELD', 'durationS'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await post('/v1/grid-events', body);
      const error = ((await res.json()) as { error: { code: string; field?: string } }).error;
      expect([res.status, error.code, error.field], JSON.stringify(body)).toEqual([status, code, field]);
    }
    expect((await post('/v1/grid-events', { site: 'a', reductionKw: 5, durationS: 600 }, member)).status).toBe(403);
    // Windows on budgets: overlapping ones conflict.
    const nowS = h.clock.nowS();
    const w = { level: 'region', target: 'ningxia', fromS: nowS + 3600, toS: nowS + 7200, kw: 5000 };
    expect((await post('/v1/power/windows', w)).status).toBe(201);
    const clash = await post('/v1/power/windows', { ...w, fromS: nowS + 5400, toS: nowS + 9000 });
    expect(clash.status).toBe(409);
    expect(((await clash.json()) as { error: { field: string } }).error.field).toBe('fromS');
    expect((await post('/v1/power/windows', { ...w, fromS: nowS + 7200, toS: nowS + 3600 })).status).toBe(400);
    expect((await post('/v1/power/windows', { ...w, fromS: nowS - 7200, toS: nowS + 600 })).status).toBe(400);
    expect((await post('/v1/power/windows', w, gridToken)).status).toBe(403);
    // A second window beside the first (after the server has read its own entry back) is no conflict.
    await h.cycle();
    expect((await post('/v1/power/windows', { ...w, fromS: nowS + 7200, toS: nowS + 9000 })).status).toBe(201);
    // Two windows written; nothing of the refused requests.
    expect((await h.service.listAudit(1, 10_000, SYSTEM)).length).toBe(before + 2);
    expect((await h.service.grid.view(SYSTEM)).windows).toHaveLength(2);
    // The grid's token may ask.
    const ok = await post('/v1/grid-events', { id: 'SG-0001', site: 'b', reductionKw: 1, durationS: 600 }, gridToken);
    expect(ok.status).toBe(201);
    // The grid sends its order twice: the second is refused, nothing stored.
    const again = await post(
      '/v1/grid-events',
      { id: 'SG-0001', site: 'b', reductionKw: 1, durationS: 600 },
      gridToken,
    );
    expect(again.status).toBe(409);
  });
});
