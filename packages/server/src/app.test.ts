import { SYSTEM } from '@suanli/service';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { type Harness, harness, TRAIN_SPEC } from './harness.fixture.ts';

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

/** The app, called with an operator's token (tests of access itself are in auth.test.ts). */
async function app() {
  h = await harness();
  const a = createApp(h.service, { webDir: '/nonexistent' });
  const { token } = await h.service.createToken({ name: 'test-operator', role: 'operator' }, SYSTEM);
  return {
    request(path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      return a.request(path, { ...init, headers });
    },
  };
}

const yaml = (body: string) => ({ method: 'POST', body, headers: { 'content-type': 'application/yaml' } });

describe('HTTP API (in-process)', () => {
  it('serves health, sites and one site', async () => {
    const a = await app();
    const health = await (await a.request('/health')).json();
    expect(health).toMatchObject({ status: 'ok', network: 'cn-national', sites: 15, jobs: { pending: 0 } });
    const sites = await (await a.request('/v1/sites')).json();
    expect(sites).toHaveLength(15);
    const site = await a.request('/v1/sites/helinger');
    expect(await site.json()).toMatchObject({ id: 'helinger', kind: 'cluster', utilization: 0 });
    const missing = await a.request('/v1/sites/atlantis');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'SITE_NOT_FOUND', message: 'no site atlantis' } });
  });

  it('accepts a job in YAML or JSON, lists it, and cancels it', async () => {
    const a = await app();
    const res = await a.request('/v1/jobs', yaml(TRAIN_SPEC));
    expect(res.status).toBe(201);
    const job = await res.json();
    expect(job).toMatchObject({ state: 'pending', spec: { name: 'llama-ft', gang: 2 } });

    const json = {
      name: 'eval',
      kind: 'batch-infer',
      tenant: 'acme-ai',
      resources: { accelerators: { H20: 8 } },
      durationS: 600,
    };
    const res2 = await a.request('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify(json),
      headers: { 'content-type': 'application/json' },
    });
    expect(res2.status).toBe(201);

    const list = await (await a.request('/v1/jobs?state=pending')).json();
    expect(list).toHaveLength(2);
    expect((await a.request(`/v1/jobs/${job.id}`)).status).toBe(200);
    const cancelled = await a.request(`/v1/jobs/${job.id}/cancel`, { method: 'POST' });
    expect(await cancelled.json()).toMatchObject({ id: job.id, state: 'cancelled' });
    const again = await a.request(`/v1/jobs/${job.id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('JOB_NOT_CANCELLABLE');
  });

  it('quotes without storing', async () => {
    const a = await app();
    const res = await a.request('/v1/quote', yaml(TRAIN_SPEC));
    expect(res.status).toBe(200);
    const q = await res.json();
    expect(q.options[0]).toMatchObject({ rank: 1, outcome: 'scored' });
    expect(q.options[0].estimate.costCny).toBeGreaterThan(0);
    expect(q.rejected.length + q.options.length).toBe(15);
    expect(await (await a.request('/v1/jobs')).json()).toEqual([]);
  });

  const bad: [string, RequestInit, number, Record<string, unknown>][] = [
    ['malformed YAML', yaml('name: [\n'), 400, { code: 'MALFORMED_INPUT', line: 2 }],
    [
      'malformed JSON',
      { method: 'POST', body: '{"name": ', headers: { 'content-type': 'application/json' } },
      400,
      { code: 'MALFORMED_INPUT' },
    ],
    [
      'an unknown accelerator',
      yaml(TRAIN_SPEC.replace('H800', 'TPUv5')),
      422,
      { code: 'UNKNOWN_ACCELERATOR', field: 'resources.accelerators.TPUv5', line: 5 },
    ],
    [
      'a negative count',
      yaml(TRAIN_SPEC.replace('H800: 8', 'H800: -8')),
      400,
      { code: 'INVALID_FIELD', field: 'resources.accelerators.H800' },
    ],
    [
      'a zero count',
      yaml(TRAIN_SPEC.replace('H800: 8', 'H800: 0')),
      400,
      { code: 'INVALID_FIELD', field: 'resources.accelerators.H800' },
    ],
    [
      'a gang larger than any pool',
      yaml(TRAIN_SPEC.replace('gang: 2', 'gang: 1000')),
      422,
      { code: 'GANG_TOO_LARGE', field: 'gang', line: 6 },
    ],
    [
      'an unknown dataset site',
      yaml(`${TRAIN_SPEC}datasets:\n  - { name: d, sizeGb: 5, sites: [atlantis] }\n`),
      422,
      { code: 'UNKNOWN_SITE', field: 'datasets[0].sites[0]', line: 9 },
    ],
    [
      'an unknown tenant',
      yaml(TRAIN_SPEC.replace('acme-ai', 'nobody')),
      422,
      { code: 'UNKNOWN_TENANT', field: 'tenant', line: 3 },
    ],
    ['an empty body', yaml(''), 400, { code: 'MALFORMED_INPUT' }],
    [
      'an unsupported media type',
      { method: 'POST', body: 'x', headers: { 'content-type': 'image/png' } },
      415,
      { code: 'UNSUPPORTED_MEDIA_TYPE' },
    ],
    ['a body over 1 MB', yaml(`# ${'x'.repeat(1_100_000)}\n${TRAIN_SPEC}`), 413, { code: 'PAYLOAD_TOO_LARGE' }],
  ];

  it.each(bad)(
    'answers %s with a 4xx, a stable code and a reason, and stores nothing',
    async (_what, init, status, error) => {
      const a = await app();
      const res = await a.request('/v1/jobs', init);
      expect(res.status).toBe(status);
      const body = await res.json();
      expect(body.error).toMatchObject(error);
      expect(typeof body.error.message).toBe('string');
      expect(await h.service.listJobs({}, SYSTEM)).toEqual([]);
      // Only the test's own token was recorded.
      expect((await h.service.listAudit(1, 10, SYSTEM)).map((e) => e.kind)).toEqual(['token.created']);
    },
  );

  it('validates query parameters and unknown routes', async () => {
    const a = await app();
    const r = await a.request('/v1/jobs?limit=lots');
    expect(r.status).toBe(400);
    expect((await r.json()).error).toMatchObject({ code: 'INVALID_FIELD', field: 'limit' });
    const s = await a.request('/v1/jobs?state=sleeping');
    expect((await s.json()).error).toMatchObject({ code: 'INVALID_FIELD', field: 'state' });
    const n = await a.request('/v2/nothing');
    expect(n.status).toBe(404);
    expect((await n.json()).error.code).toBe('ROUTE_NOT_FOUND');
    expect((await a.request('/v1/jobs/j-none')).status).toBe(404);
  });

  it('publishes an OpenAPI 3.1 document and a docs page', async () => {
    const a = await app();
    const doc = await (await a.request('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/v1/sites',
        '/v1/jobs',
        '/v1/jobs/{id}',
        '/v1/jobs/{id}/cancel',
        '/v1/quote',
        '/v1/audit/verify',
      ]),
    );
    expect(
      doc.paths['/v1/jobs'].post.requestBody.content['application/yaml'].schema.properties.resources,
    ).toBeDefined();
    expect(doc.components.schemas.Job).toBeDefined();
    const docs = await a.request('/docs');
    expect(await docs.text()).toContain('SwaggerUIBundle');
    const js = await a.request('/docs/assets/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
  });

  it('explains why a job is pending, and says when the optimizer is unavailable', async () => {
    const a = await app();
    const job = await (await a.request('/v1/jobs', yaml(TRAIN_SPEC))).json();
    const why = await a.request(`/v1/jobs/${job.id}/why`);
    expect(why.status).toBe(200);
    expect(await why.json()).toMatchObject({
      jobId: job.id,
      state: 'pending',
      decision: 'place',
      ahead: 0,
      quota: { clusterQueue: 'commercial' },
    });
    expect((await a.request('/v1/jobs/j-none/why')).status).toBe(404);
    const opt = await a.request('/v1/optimize', { method: 'POST' });
    expect(opt.status).toBe(409);
    expect((await opt.json()).error.code).toBe('OPTIMIZER_UNAVAILABLE');
  });

  it('verifies the audit chain over HTTP', async () => {
    const a = await app();
    await a.request('/v1/jobs', yaml(TRAIN_SPEC));
    await h.cycle();
    const v = await (await a.request('/v1/audit/verify')).json();
    expect(v).toMatchObject({ ok: true, entries: 4 }); // the test's token, submitted, placed, dispatched
    const entries = await (await a.request('/v1/audit?from=3&limit=1')).json();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ seq: 3, kind: 'job.placed' });
  });
});
