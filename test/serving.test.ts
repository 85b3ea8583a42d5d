import { type SuanliError, SYSTEM } from '@suanli/service';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../packages/server/src/harness.fixture.ts';

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

/** Requests a second by hour (UTC+8): quiet at night, 40 at 21:00. */
const DAY = Array.from({ length: 24 }, (_, h) => Math.round(40 * (0.1 + 0.9 * Math.exp(-(((h - 21) / 3) ** 2)))));

const SERVICE = `name: chat
kind: serve
tenant: acme-ai
resources: { accelerators: { H800: 8 } }
durationS: 172800
service:
  replicas: { min: 1, max: 12 }
  guaranteed: 1
  target: { requestsPerS: 8 }
  slo: { ttftP95Ms: 650 }
  inferenceMs: 150
  tokensPerRequest: 500
  demand:
    - { region: shanghai, requestsPerS: [${DAY.join(', ')}] }
`;

const refused = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => ({ code: (e as SuanliError).code, field: (e as SuanliError).location?.field }),
  );

describe('online services in the live service (real SQLite store, sim backend at 600×)', () => {
  it('scales replicas with the demand over a day, explains each step, routes requests, and ends with its duration', async () => {
    h = await harness({ speedup: 600, startDelayS: 0 });
    // 2026-11-23 00:00 UTC is 08:00 in Shanghai: the morning is quiet.
    const svc = await h.service.submit({ text: SERVICE }, SYSTEM);
    expect(svc.state).toBe('running');
    const counts: number[] = [];
    for (let step = 0; step < 150; step++) {
      h.clock.advance(1); // ten minutes of the service's day at 600×
      await h.cycle();
      const v = await h.service.service(svc.id, SYSTEM);
      counts.push(v.replicas.filter((r) => r.state === 'running').length);
    }
    // Morning: one or two replicas; the evening peak (40 req/s at 8 each): five; night: down again.
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(5);
    expect(counts.at(-1)).toBeLessThan(Math.max(...counts));
    const audit = (await h.service.listAudit(1, 5000, SYSTEM)).filter((e) => e.kind === 'service.scaled');
    expect(audit.some((e) => e.data['direction'] === 'up')).toBe(true);
    expect(audit.some((e) => e.data['direction'] === 'down')).toBe(true);
    expect(String(audit[0]?.data['reason'])).toMatch(
      /^shanghai: .* req\/s planned needs \d+ replicas? at 8 req\/s each/,
    );
    const view = await h.service.service(svc.id, SYSTEM);
    expect(view.regions[0]?.withinSlo).toBe(true);
    // Measured every step as the simulator measures: a day of requests, nearly all within the SLO.
    expect(view.requests).toBeGreaterThan(5e5);
    expect(view.sloAttainment).toBeGreaterThan(0.95);
    expect(view.costCnyPerMillionTokens).toBeCloseTo((view.costCnyPerMillion ?? 0) / 500, 6);
    // Another server on the same database (the API beside the scheduling thread) sees the same replicas.
    const other = await harness({ dbPath: h.dbPath, clock: h.clock, speedup: 600, startDelayS: 0 });
    try {
      const seen = await other.service.service(svc.id, SYSTEM);
      expect(seen.replicas.map((r) => [r.id, r.state])).toEqual(view.replicas.map((r) => [r.id, r.state]));
      // And keeps up as the scheduling server scales down.
      h.clock.advance(40);
      for (let i = 0; i < 10; i++) {
        h.clock.advance(1);
        await h.cycle();
      }
      const now = await h.service.service(svc.id, SYSTEM);
      const later = await other.service.service(svc.id, SYSTEM);
      expect(later.replicas.map((r) => [r.id, r.state])).toEqual(now.replicas.map((r) => [r.id, r.state]));
    } finally {
      await other.store.close();
    }
    expect(view.costCnyPerHour).toBeGreaterThan(0);
    const route = await h.service.route(svc.id, 'shanghai', SYSTEM);
    expect(view.replicas.find((r) => r.id === route.replicaId)?.state).toBe('running');
    expect(route.endpoint).toBe(`${route.siteId}/${svc.id}/${route.replicaId}`);
    expect(route.ttftMs).toBeLessThanOrEqual(650);
    // The guaranteed replica is not preemptible; the others are.
    const replicas = (await h.service.listJobs({}, SYSTEM)).filter((j) => j.replicaOf?.serviceId === svc.id);
    expect(replicas.filter((r) => r.replicaOf?.guaranteed).every((r) => !r.spec.preemptible)).toBe(true);
    expect(replicas.filter((r) => !r.replicaOf?.guaranteed).every((r) => r.spec.preemptible)).toBe(true);
    // Observed load above the curve scales up at once.
    await h.service.observeLoad(svc.id, { shanghai: 90 }, SYSTEM);
    h.clock.advance(1);
    await h.cycle();
    expect(
      (await h.service.service(svc.id, SYSTEM)).replicas.filter((r) => r.state !== 'cancelled').length,
    ).toBeGreaterThanOrEqual(12);
    // Its duration (two days of its time: 288 s at 600×) over, it ends and its replicas stop.
    h.clock.advance(300);
    await h.cycle();
    expect((await h.service.getJob(svc.id, SYSTEM)).state).toBe('succeeded');
    const left = (await h.service.listJobs({}, SYSTEM)).filter(
      (j) =>
        j.replicaOf?.serviceId === svc.id &&
        (j.state === 'running' || j.state === 'pending' || j.state === 'scheduled'),
    );
    expect(left).toEqual([]);
  });

  it('refuses bad service sections naming the field, storing nothing', async () => {
    h = await harness();
    const bad: [string, string, string][] = [
      ['replicas: { min: 1, max: 12 }', 'replicas: { min: 5, max: 2 }', 'service.replicas.min'],
      ['replicas: { min: 1, max: 12 }', 'replicas: { min: 0, max: 0 }', 'service.replicas.max'],
      ['slo: { ttftP95Ms: 650 }', 'slo: { ttftP95Ms: 300 }', 'service.slo.ttftP95Ms'],
      ['region: shanghai', 'region: atlantis', 'service.demand[0].region'],
      [
        `requestsPerS: [${DAY.join(', ')}]`,
        `requestsPerS: [-1${', 1'.repeat(23)}]`,
        'service.demand[0].requestsPerS[0]',
      ],
      ['guaranteed: 1', 'guaranteed: 20', 'service.guaranteed'],
    ];
    for (const [from, to, field] of bad) {
      const e = await refused(h.service.submit({ text: SERVICE.replace(from, to) }, SYSTEM));
      expect(e?.field, to).toBe(field);
    }
    expect(
      (await refused(h.service.submit({ text: SERVICE.replace('kind: serve', 'kind: train') }, SYSTEM)))?.field,
    ).toBe('service');
    expect(await h.service.listJobs({}, SYSTEM)).toEqual([]);
  });

  it('serves users from replicas in their own jurisdiction only, and refuses a negative observed load', async () => {
    h = await harness({ speedup: 600, startDelayS: 0 });
    const svc = await h.service.submit(
      {
        text: SERVICE.replace('region: shanghai', 'region: hong-kong')
          .replace('ttftP95Ms: 650', 'ttftP95Ms: 700')
          .replace('H800: 8', 'H100: 8'),
      },
      SYSTEM,
    );
    for (let i = 0; i < 3; i++) {
      h.clock.advance(1);
      await h.cycle();
    }
    const sites = (await h.service.service(svc.id, SYSTEM)).replicas.map((r) => r.siteId);
    expect(sites.length).toBeGreaterThan(0);
    expect(sites.every((s) => s === 'hong-kong')).toBe(true);
    const e = await refused(h.service.observeLoad(svc.id, { 'hong-kong': -1 }, SYSTEM));
    expect(e).toEqual({ code: 'INVALID_FIELD', field: 'hong-kong' });
  });
});
