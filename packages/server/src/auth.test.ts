import { builtinPolicy, hashToken, SYSTEM } from '@suanli/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { type Harness, harness } from './harness.fixture.ts';

/**
 * Every role × every action × its own tenant or another, over HTTP. Own tenant: acme-ai; other:
 * insure-co. `true`: the action is carried out (2xx, or a non-access error such as an optimizer
 * that is off); `false`: refused (403, or 404 for another tenant's job, which is not shown to exist).
 */
const MATRIX: Record<string, readonly [boolean, boolean, boolean, boolean, boolean, boolean]> = {
  //                 operator auditor admin:own admin:other member:own member:other
  'sites.read': [true, true, true, true, true, true],
  'jobs.read': [true, true, true, false, true, false],
  'jobs.submit': [true, false, true, false, true, false],
  'jobs.cancel': [true, false, true, false, true, false],
  'jobs.quote': [true, false, true, false, true, false],
  optimize: [true, false, false, false, false, false],
  'audit.read': [true, true, false, false, false, false],
  'policies.read': [true, true, true, true, true, true],
  'policies.test': [true, true, true, false, true, false],
  'catalog.read': [true, true, true, true, true, true],
  'models.audit': [true, false, true, false, false, false],
  'tokens.create': [true, false, true, false, false, false],
};

const spec = (tenant: string, name: string) =>
  `name: ${name}\nkind: train\ntenant: ${tenant}\nresources: { accelerators: { H100: 8 } }\ndurationS: 600\n`;

const CSV = [
  'prediction,label,group',
  ...Array.from({ length: 80 }, (_, i) => `${i % 2},${i % 2},${i < 40 ? 'a' : 'b'}`),
].join('\n');

let h: Harness;
let app: ReturnType<typeof createApp>;
const tokens: Record<string, string> = {};
const jobs: Record<string, string> = {};

beforeAll(async () => {
  h = await harness({ policy: builtinPolicy() });
  app = createApp(h.service, { webDir: '/nonexistent' });
  tokens['operator'] = (await h.service.createToken({ name: 'op', role: 'operator' }, SYSTEM)).token;
  tokens['auditor'] = (await h.service.createToken({ name: 'aud', role: 'auditor' }, SYSTEM)).token;
  tokens['admin'] = (
    await h.service.createToken({ name: 'adm', role: 'tenant-admin', tenant: 'acme-ai' }, SYSTEM)
  ).token;
  tokens['member'] = (
    await h.service.createToken({ name: 'mem', role: 'tenant-member', tenant: 'acme-ai' }, SYSTEM)
  ).token;
});
afterAll(async () => {
  await h?.store.close();
});

async function call(token: string | undefined, method: string, path: string, body?: string, type = 'application/yaml') {
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = type;
  return app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
}

/** A fresh job of a tenant, submitted by the operator. */
async function jobOf(tenant: string): Promise<string> {
  const r = await call(tokens['operator'], 'POST', '/v1/jobs', spec(tenant, `j-${Object.keys(jobs).length}`));
  const id = ((await r.json()) as { id: string }).id;
  jobs[id] = tenant;
  return id;
}

/** Performs `action` as `token` on tenant `tenant`'s things; the response status. */
async function perform(action: string, token: string, tenant: string): Promise<number> {
  switch (action) {
    case 'sites.read':
      return (await call(token, 'GET', '/v1/sites')).status;
    case 'jobs.read':
      return (await call(token, 'GET', `/v1/jobs/${await jobOf(tenant)}`)).status;
    case 'jobs.submit':
      return (await call(token, 'POST', '/v1/jobs', spec(tenant, 'submitted'))).status;
    case 'jobs.cancel':
      return (await call(token, 'POST', `/v1/jobs/${await jobOf(tenant)}/cancel`)).status;
    case 'jobs.quote':
      return (await call(token, 'POST', '/v1/quote', spec(tenant, 'quoted'))).status;
    case 'optimize':
      return (await call(token, 'POST', '/v1/optimize')).status;
    case 'audit.read':
      return (await call(token, 'GET', '/v1/audit/head')).status;
    case 'policies.read':
      return (await call(token, 'GET', '/v1/policies')).status;
    case 'policies.test':
      return (await call(token, 'POST', '/v1/policies/test', spec(tenant, 'tested'))).status;
    case 'catalog.read':
      return (await call(token, 'GET', '/v1/models')).status;
    case 'models.audit': {
      const [model, sector] = tenant === 'acme-ai' ? ['acme-chat', 'internet'] : ['claims-scorer', 'finance'];
      return (await call(token, 'POST', `/v1/models/${model}/audits?sector=${sector}`, CSV, 'text/csv')).status;
    }
    case 'tokens.create':
      return (
        await call(
          token,
          'POST',
          '/v1/tokens',
          JSON.stringify({ name: 'x', role: 'tenant-member', tenant }),
          'application/json',
        )
      ).status;
    default:
      throw new Error(`no request for ${action}`);
  }
}

describe('access: every role × every action × own or other tenant', () => {
  const cases = Object.entries(MATRIX).flatMap(([action, expected]) =>
    (
      [
        ['operator', 'acme-ai'],
        ['auditor', 'acme-ai'],
        ['admin', 'acme-ai'],
        ['admin', 'insure-co'],
        ['member', 'acme-ai'],
        ['member', 'insure-co'],
      ] as const
    ).map(([role, tenant], i) => [action, role, tenant, expected[i] as boolean] as const),
  );

  it.each(cases)('%s as %s on %s: allowed %s', async (action, role, tenant, expected) => {
    const status = await perform(action, tokens[role] as string, tenant);
    if (expected) expect([200, 201, 409], `${action} ${role} ${tenant}`).toContain(status);
    else expect([403, 404], `${action} ${role} ${tenant}`).toContain(status);
  });
});

describe('tokens', () => {
  it('refuses a request without a token, or with an unknown one (401, with the code)', async () => {
    const none = await call(undefined, 'GET', '/v1/sites');
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect((await call('sl_forged', 'GET', '/v1/sites')).status).toBe(401);
    expect((await app.request('/health')).status).toBe(200);
  });

  it('stores only hashes, and logs neither the token nor its full hash', async () => {
    const { token } = await h.service.createToken(
      { name: 'carol', role: 'tenant-member', tenant: 'insure-co' },
      SYSTEM,
    );
    expect(await h.store.findToken(token)).toBeUndefined();
    expect(await h.store.findToken(hashToken(token))).toMatchObject({ role: 'tenant-member', tenant: 'insure-co' });
    const log = JSON.stringify(await h.service.listAudit(1, 1000, SYSTEM));
    expect(log).not.toContain(token);
    expect(log).not.toContain(hashToken(token));
  });

  it('lets a tenant admin issue only tenant tokens of its own tenant', async () => {
    const asAdmin = (body: object) =>
      call(tokens['admin'], 'POST', '/v1/tokens', JSON.stringify(body), 'application/json');
    expect((await asAdmin({ name: 'bob', role: 'tenant-member', tenant: 'acme-ai' })).status).toBe(201);
    expect((await asAdmin({ name: 'eve', role: 'operator' })).status).toBe(403);
    expect((await asAdmin({ name: 'eve', role: 'auditor' })).status).toBe(403);
  });

  it('shows quotas: every cluster queue to operators, only its own to a tenant', async () => {
    const all = (await (await call(tokens['operator'], 'GET', '/v1/quotas')).json()) as {
      name: string;
      tenants: string[];
    }[];
    expect(all.map((q) => q.name).sort()).toEqual(['commercial', 'public', 'research']);
    expect(all.find((q) => q.name === 'commercial')?.tenants).toContain('acme-ai');
    const mine = (await (await call(tokens['member'], 'GET', '/v1/quotas')).json()) as { name: string }[];
    expect(mine.map((q) => q.name)).toEqual(['commercial']);
  });

  it('lists only the caller tenant\u2019s jobs to tenant roles', async () => {
    await jobOf('insure-co');
    await jobOf('acme-ai');
    const mine = (await (await call(tokens['member'], 'GET', '/v1/jobs')).json()) as { spec: { tenant: string } }[];
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((j) => j.spec.tenant === 'acme-ai')).toBe(true);
    const all = (await (await call(tokens['auditor'], 'GET', '/v1/jobs')).json()) as { spec: { tenant: string } }[];
    expect(new Set(all.map((j) => j.spec.tenant))).toEqual(new Set(['acme-ai', 'insure-co']));
  });
});
