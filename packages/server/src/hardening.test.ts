import { builtinPolicy, SYSTEM } from '@suanli/service';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { type Harness, harness, TRAIN_SPEC } from './harness.fixture.ts';
import { Metrics } from './metrics.ts';

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

/** The app over a real SQLite store, with an operator token, and what it logged. */
async function app(options: { policy?: boolean } = {}) {
  h = await harness(options.policy ? { policy: builtinPolicy() } : {});
  const logged: Record<string, unknown>[] = [];
  const a = createApp(h.service, {
    webDir: '/nonexistent',
    metrics: new Metrics(h.service),
    log: { error: (details) => logged.push(details) },
  });
  const { token } = await h.service.createToken({ name: 'ops', role: 'operator' }, SYSTEM);
  const request = (path: string, init: RequestInit = {}, as = token) => {
    const headers = new Headers(init.headers);
    if (as) headers.set('authorization', `Bearer ${as}`);
    return a.request(path, { ...init, headers });
  };
  return { request, logged, token };
}

const post = (body: string, type?: string): RequestInit => ({
  method: 'POST',
  body,
  ...(type ? { headers: { 'content-type': type } } : {}),
});

async function errorOf(res: Response) {
  return ((await res.json()) as { error: Record<string, unknown> }).error;
}

describe('content types: what each endpoint reads, the rest is 415', () => {
  it.each([
    ['text/plain', TRAIN_SPEC],
    [undefined, TRAIN_SPEC],
    ['application/x-www-form-urlencoded', 'a=1'],
  ])('refuses a job spec sent as %s', async (type, body) => {
    const a = await app();
    for (const path of ['/v1/jobs', '/v1/quote']) {
      const res = await a.request(path, post(body, type));
      expect(res.status).toBe(415);
      expect(await errorOf(res)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    expect(await h.service.listJobs({}, SYSTEM)).toEqual([]);
  });

  it('reads YAML as YAML and JSON strictly as JSON', async () => {
    const a = await app();
    expect((await a.request('/v1/jobs', post(TRAIN_SPEC, 'application/yaml'))).status).toBe(201);
    expect((await a.request('/v1/jobs', post(TRAIN_SPEC, 'text/yaml; charset=utf-8'))).status).toBe(201);
    const labelledJson = await a.request('/v1/jobs', post(TRAIN_SPEC, 'application/json'));
    expect(labelledJson.status).toBe(400);
    expect(await errorOf(labelledJson)).toMatchObject({ code: 'MALFORMED_INPUT' });
    expect(
      String((await errorOf(await a.request('/v1/quote', post(TRAIN_SPEC, 'application/json'))))['message']),
    ).toMatch(/not valid JSON/);
  });

  it('refuses tokens and grants in anything but JSON, and a fairness audit in anything but CSV', async () => {
    const a = await app();
    const body = JSON.stringify({ name: 'x', role: 'auditor' });
    expect((await a.request('/v1/tokens', post(body, 'text/plain'))).status).toBe(415);
    expect((await a.request('/v1/tokens', post(body, 'application/json'))).status).toBe(201);
    const csv = await a.request('/v1/models/claims-scorer/audits?sector=finance', post('a,b', 'application/json'));
    expect(csv.status).toBe(415);
  });
});

describe('YAML that would exhaust the server is refused with 400, never 500', () => {
  const bomb = [
    'a: &a [x, x, x, x, x, x, x, x, x]',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
    'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  ].join('\n');
  const cases: [string, string, RegExp][] = [
    ['an alias bomb', bomb, /alias bomb/],
    ['an unresolved alias', 'name: *nothing\n', /alias/i],
    ['more than 100 aliases', `x: &x 1\n${Array.from({ length: 101 }, (_, i) => `k${i}: *x`).join('\n')}`, /aliases/],
    ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`, /nested/],
    ['deep mappings', `${Array.from({ length: 80 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} 1`, /nested/],
  ];
  it.each(cases)('%s', async (_what, text, message) => {
    const a = await app({ policy: true });
    for (const path of ['/v1/jobs', '/v1/quote', '/v1/policies/test']) {
      const res = await a.request(path, post(text, 'application/yaml'));
      expect(res.status, path).toBe(400);
      const e = await errorOf(res);
      expect(e['code']).toBe('MALFORMED_INPUT');
      expect(String(e['message'])).toMatch(message);
    }
    expect(a.logged).toEqual([]);
  });
});

describe('numbers and lists have ranges', () => {
  const spec = (patch: string) => TRAIN_SPEC.replace('durationS: 3600', patch);
  it.each([
    ['durationS: 1e308', 'durationS'],
    ['durationS: 3600\ndeadline: 99999-01-01T00:00:00Z', 'deadline'],
    ['durationS: 3600\ndeadline: 2030-01-01T00:00:00+08:00', 'deadline'],
    ['durationS: 3600\npriority: 1e9', 'priority'],
    ['durationS: 3600\nbudget: { maxCny: 1e300 }', 'budget.maxCny'],
  ])('refuses %s, naming the field', async (patch, field) => {
    const a = await app();
    const res = await a.request('/v1/jobs', post(spec(patch), 'application/yaml'));
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'INVALID_FIELD', field });
  });

  it('refuses 10,000 alternatives, and accepts a deadline given as a time from submission', async () => {
    const a = await app();
    const many = `name: many\nkind: train\ntenant: acme-ai\nresources:\n  any_of:\n${'    - accelerators: { H100: 8 }\n'.repeat(10_000)}durationS: 60\n`;
    const res = await a.request('/v1/quote', post(many, 'application/yaml'));
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'INVALID_FIELD', field: 'resources.any_of' });
    const ok = await a.request('/v1/jobs', post(spec('durationS: 3600\ndeadline: PT16H'), 'application/yaml'));
    expect(ok.status).toBe(201);
    const job = (await ok.json()) as { spec: { deadlineS: number }; submittedAtS: number };
    expect(job.spec.deadlineS - job.submittedAtS).toBe(16 * 3600);
  });
});

describe('internal errors', () => {
  it('are logged under a request id; the caller gets the id and a generic reason, not the internals', async () => {
    const a = await app();
    const job = (await (await a.request('/v1/jobs', post(TRAIN_SPEC, 'application/yaml'))).json()) as { id: string };
    // Damage the store behind the service's back: the job row is no longer a record.
    const db = new Database(h.dbPath);
    db.prepare('update jobs set record = ? where id = ?').run('{"spec": 17', job.id);
    db.close();
    const res = await a.request(`/v1/jobs/${job.id}`);
    expect(res.status).toBe(500);
    const e = await errorOf(res);
    expect(e['code']).toBe('INTERNAL');
    expect(String(e['message'])).not.toMatch(/JSON|position|record/);
    expect(e['requestId']).toEqual(res.headers.get('x-request-id'));
    expect(a.logged).toHaveLength(1);
    expect(a.logged[0]).toMatchObject({ requestId: e['requestId'], method: 'GET', path: `/v1/jobs/${job.id}` });
  });
});

describe('metrics need a token that may read them', () => {
  it('refuses /metrics without a token or with a tenant token; serves a metrics token', async () => {
    const a = await app();
    expect((await a.request('/metrics', {}, '')).status).toBe(401);
    const member = await h.service.createToken({ name: 'alice', role: 'tenant-member', tenant: 'acme-ai' }, SYSTEM);
    expect((await a.request('/metrics', {}, member.token)).status).toBe(403);
    const scraper = await h.service.createToken({ name: 'prometheus', role: 'metrics' }, SYSTEM);
    const ok = await a.request('/metrics', {}, scraper.token);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('suanli_queue_depth');
    // A metrics token reads nothing else.
    expect((await a.request('/v1/jobs', {}, scraper.token)).status).toBe(403);
  });
});
