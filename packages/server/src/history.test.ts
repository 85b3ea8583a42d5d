import { builtinPolicy, SYSTEM } from '@suanli/service';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { type Harness, harness, TRAIN_SPEC } from './harness.fixture.ts';

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

async function app(options: Parameters<typeof harness>[0] = {}) {
  h = await harness(options);
  const a = createApp(h.service, { webDir: '/nonexistent' });
  const { token } = await h.service.createToken({ name: 'wall', role: 'operator' }, SYSTEM);
  const get = async (path: string) => {
    const res = await a.request(path, { headers: { authorization: `Bearer ${token}` } });
    return {
      status: res.status,
      body: (await res.json()) as { points?: unknown; bucketS?: number; error?: { code: string } } & Record<
        string,
        unknown
      >,
    };
  };
  return get;
}

interface Point {
  atS: number;
  busy: number;
  utilization: number;
  queued: number;
  powerKw: number;
  costFenPerHour: number;
  carbonKgPerHour: number;
  greenShare: number;
}

describe('history, gauge, alerts and tenants over HTTP', () => {
  it('records a sample a step from the ledger after cycles and serves it by range, for the network and a site', async () => {
    const get = await app({ historyStepS: 60 });
    const t0 = h.clock.nowS();
    const startS = Math.floor(t0 / 60) * 60;
    await h.service.history.record(); // an idle minute
    h.clock.set(startS + 60);
    await h.service.submit({ text: TRAIN_SPEC }, SYSTEM);
    await h.service
      .submit({ text: TRAIN_SPEC.replace('llama-ft', 'waits').replace('H800: 8', 'H800: 99999') }, SYSTEM)
      .catch(() => undefined);
    await h.cycle();
    await h.service.history.record(); // the first minute is written
    h.clock.set(startS + 90);
    await h.service.history.record();
    h.clock.set(startS + 130);
    await h.service.history.record(); // the second minute is written
    await h.service.history.flush(); // and the third, at a stop

    const { status, body } = await get(`/v1/history?from=${startS}&to=${startS + 180}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ scope: 'network', bucketS: 60, fromS: startS });
    const points = body.points as Point[];
    expect(points.map((p) => p.atS)).toEqual([startS, startS + 60, startS + 120]);
    const [idle, busy] = points as [Point, Point];
    expect(idle.busy).toBe(0);
    expect(busy.busy).toBe(16); // a gang of two × 8
    expect(busy.powerKw).toBeGreaterThan(idle.powerKw);
    expect(busy.costFenPerHour).toBeGreaterThan(idle.costFenPerHour);
    expect(Number.isInteger(busy.costFenPerHour)).toBe(true);
    expect(busy.greenShare).toBeGreaterThan(0);
    expect(busy.greenShare).toBeLessThan(1);

    // The site that took the job has it too; the others are idle.
    const gauge = (await get('/v1/gauge')).body as { network: Point; sites: (Point & { siteId: string })[] };
    expect(gauge.network.busy).toBe(16);
    const site = gauge.sites.find((s) => s.busy > 0)?.siteId as string;
    const sitePoints = (await get(`/v1/history?from=${startS}&to=${startS + 180}&site=${site}`)).body.points as Point[];
    expect(sitePoints[1]?.busy).toBe(16);
    expect(sitePoints[1]?.queued).toBe(0);

    // Wider buckets average: one bucket of 180 s holds the three minutes.
    const wide = (await get(`/v1/history?from=${startS}&to=${startS + 180}&points=1`)).body;
    expect(wide.bucketS).toBe(180);
    expect((wide.points as Point[])[0]?.busy).toBeCloseTo((0 + 16 + 16) / 3, 9);
    // A range by name ends now.
    expect(((await get('/v1/history?range=24h')).body.points as Point[]).length).toBe(1); // buckets of 240 s
    expect(((await get('/v1/history?range=24h&points=2000')).body.points as Point[]).length).toBe(3);
  });

  it('refuses a bad range, a bad size and an unknown site with a code, never a 5xx', async () => {
    const get = await app();
    expect((await get('/v1/history?from=2000&to=1000')).body.error?.code).toBe('INVALID_FIELD');
    expect((await get('/v1/history?points=0')).status).toBe(400);
    expect((await get('/v1/history?points=1e9')).status).toBe(400);
    expect((await get('/v1/history?from=-5')).status).toBe(400);
    expect((await get('/v1/history?range=1y')).status).toBe(400);
    const unknown = await get('/v1/history?site=atlantis');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('SITE_NOT_FOUND');
    expect((await get('/v1/alerts?limit=0')).status).toBe(400);
  });

  it('lists policy denials and preemptions as alerts, newest first; tenants may not read them', async () => {
    const get = await app({ policy: builtinPolicy() });
    const denied = `name: chat\nkind: serve\ntenant: acme-ai\nresources: { accelerators: { H100: 8 } }\ndurationS: 3600\nmodel: acme-chat-ft\nexposure: public-mainland\nservesSector: internet\nlabeling: true\n`;
    await h.service.submit({ text: denied }, SYSTEM).catch(() => undefined);
    const alerts = (await get('/v1/alerts')).body as unknown as { kind: string; subject: string; summary: string }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'job.denied', subject: 'acme-ai' });
    expect(alerts[0]?.summary).toContain('R12');
    const { token } = await h.service.createToken({ name: 'member', role: 'tenant-member', tenant: 'acme-ai' }, SYSTEM);
    const a = createApp(h.service, { webDir: '/nonexistent' });
    expect((await a.request('/v1/alerts', { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
  });

  it('lists the tenants with sector, weight and queue; a tenant token sees only its own', async () => {
    const get = await app();
    const all = (await get('/v1/tenants')).body as unknown as { id: string; sector: string; clusterQueue?: string }[];
    expect(all.length).toBeGreaterThan(3);
    expect(all.find((t) => t.id === 'acme-ai')).toMatchObject({ sector: 'internet', clusterQueue: 'commercial' });
    const { token } = await h.service.createToken({ name: 'm', role: 'tenant-member', tenant: 'acme-ai' }, SYSTEM);
    const a = createApp(h.service, { webDir: '/nonexistent' });
    const mine = (await (await a.request('/v1/tenants', { headers: { authorization: `Bearer ${token}` } })).json()) as {
      id: string;
    }[];
    expect(mine.map((t) => t.id)).toEqual(['acme-ai']);
  });
});
