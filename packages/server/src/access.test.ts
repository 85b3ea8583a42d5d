import { builtinPolicy, parseNetwork, SYSTEM } from '@suanli/service';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { type Harness, harness } from './harness.fixture.ts';

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

async function app(options: { policy?: boolean } = {}) {
  h = await harness(options.policy ? { policy: builtinPolicy() } : {});
  const a = createApp(h.service, { webDir: '/nonexistent' });
  const ops = await h.service.createToken({ name: 'ops', role: 'operator' }, SYSTEM);
  const request = (path: string, token: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return a.request(path, { ...init, headers });
  };
  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { request, json, ops: ops.token };
}

const errorOf = async (res: Response) => ((await res.json()) as { error: Record<string, unknown> }).error;

describe('tokens: revocation and expiry, effective at once', () => {
  it('lists tokens without the tokens themselves, revokes one, and refuses it on the next request', async () => {
    const a = await app();
    const alice = await h.service.createToken({ name: 'alice', role: 'tenant-member', tenant: 'acme-ai' }, SYSTEM);
    expect((await a.request('/v1/jobs', alice.token)).status).toBe(200);
    const list = (await (await a.request('/v1/tokens', a.ops)).json()) as { id: string; name: string }[];
    expect(list.map((t) => t.name).sort()).toEqual(['alice', 'ops']);
    expect(JSON.stringify(list)).not.toContain(alice.token);
    const revoked = await a.request(`/v1/tokens/${alice.id}/revoke`, a.ops, { method: 'POST' });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: alice.id, revokedAtS: h.clock.nowS() });
    const refused = await a.request('/v1/jobs', alice.token);
    expect(refused.status).toBe(401);
    expect(await errorOf(refused)).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/revoked/),
    });
    const again = await a.request(`/v1/tokens/${alice.id}/revoke`, a.ops, { method: 'POST' });
    expect(again.status).toBe(409);
    const kinds = (await h.service.listAudit(1, 100, SYSTEM)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'token.revoked')).toHaveLength(1);
  });

  it('refuses a token after it expires, and one whose row was deleted (no cache)', async () => {
    const a = await app();
    const short = await h.service.createToken({ name: 'ci', role: 'auditor', expiresInS: 3600 }, SYSTEM);
    expect((await a.request('/v1/jobs', short.token)).status).toBe(200);
    h.clock.advance(3601);
    const expired = await a.request('/v1/jobs', short.token);
    expect(expired.status).toBe(401);
    expect(String((await errorOf(expired))['message'])).toMatch(/expired at/);

    const bob = await h.service.createToken({ name: 'bob', role: 'auditor' }, SYSTEM);
    expect((await a.request('/v1/jobs', bob.token)).status).toBe(200);
    const db = new Database(h.dbPath);
    db.prepare("delete from tokens where name = 'bob'").run();
    db.close();
    expect((await a.request('/v1/jobs', bob.token)).status).toBe(401);
  });

  it("lets a tenant admin see and revoke only its tenant's tokens", async () => {
    const a = await app();
    const admin = await h.service.createToken({ name: 'acme-admin', role: 'tenant-admin', tenant: 'acme-ai' }, SYSTEM);
    const other = await h.service.createToken({ name: 'carol', role: 'tenant-member', tenant: 'insure-co' }, SYSTEM);
    const seen = (await (await a.request('/v1/tokens', admin.token)).json()) as { name: string }[];
    expect(seen.map((t) => t.name)).toEqual(['acme-admin']);
    const res = await a.request(`/v1/tokens/${other.id}/revoke`, admin.token, { method: 'POST' });
    expect(res.status).toBe(404);
    const member = await h.service.createToken({ name: 'dave', role: 'tenant-member', tenant: 'acme-ai' }, SYSTEM);
    expect((await a.request('/v1/tokens', member.token)).status).toBe(403);
    const metrics = await a.request('/v1/tokens', admin.token, a.json({ name: 'scraper', role: 'metrics' }));
    expect(metrics.status).toBe(403);
  });
});

describe("another tenant's models and data sets need its grant (rule ACCESS-01)", () => {
  const serveClaims = `name: scorer\nkind: serve\ntenant: acme-ai\nresources: { accelerators: { H100: 8 } }\ndurationS: 3600\nmodel: claims-scorer\n`;
  const fineTune = `name: ft\nkind: finetune\ntenant: acme-ai\nresources: { accelerators: { H100: 8 } }\ndurationS: 3600\nmodel: radiology-assist\n`;
  const quoteSensitive = `name: peek\nkind: train\ntenant: acme-ai\nresources: { accelerators: { H100: 8 } }\ndurationS: 3600\ndatasets: [{ name: medical-imaging-sh }]\n`;
  const yaml = (text: string): RequestInit => ({
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/yaml' },
  });

  it.each([
    ['serving', '/v1/jobs', serveClaims, 'model claims-scorer belongs to tenant insure-co'],
    ['fine-tuning', '/v1/jobs', fineTune, 'model radiology-assist belongs to tenant hospital-ai'],
    ['quoting with', '/v1/quote', quoteSensitive, 'dataset medical-imaging-sh belongs to tenant hospital-ai'],
    ['dry-running', '/v1/policies/test', quoteSensitive, 'dataset medical-imaging-sh'],
  ])('refuses %s another tenant’s model or data set, naming the rule and the fix', async (_w, path, text, why) => {
    const a = await app({ policy: path === '/v1/policies/test' });
    const acme = await h.service.createToken({ name: 'acme', role: 'tenant-admin', tenant: 'acme-ai' }, SYSTEM);
    const res = await a.request(path, acme.token, yaml(text));
    expect(res.status).toBe(403);
    const e = await errorOf(res);
    expect(e['code']).toBe('FORBIDDEN');
    expect(String(e['message'])).toContain(`ACCESS-01: ${why}`);
    expect(String(e['message'])).toContain('suanli grants create');
    // Operators acting for the tenant are held to the same rule: it is about the tenant, not the caller.
    expect((await a.request(path, a.ops, yaml(text))).status).toBe(403);
  });

  it('allows it once the owner grants it, audited, and refuses it again after the grant is revoked', async () => {
    const a = await app();
    const insure = await h.service.createToken(
      { name: 'insure-admin', role: 'tenant-admin', tenant: 'insure-co' },
      SYSTEM,
    );
    const acme = await h.service.createToken({ name: 'acme', role: 'tenant-admin', tenant: 'acme-ai' }, SYSTEM);
    // Only the owner's admins grant.
    const stolen = await a.request(
      '/v1/grants',
      acme.token,
      a.json({ kind: 'model', resource: 'claims-scorer', to: 'acme-ai' }),
    );
    expect(stolen.status).toBe(403);
    const granted = await a.request(
      '/v1/grants',
      insure.token,
      a.json({ kind: 'model', resource: 'claims-scorer', to: 'acme-ai' }),
    );
    expect(granted.status).toBe(201);
    const grant = (await granted.json()) as { id: string };
    expect((await a.request('/v1/jobs', acme.token, yaml(serveClaims))).status).toBe(201);
    const mine = (await (await a.request('/v1/grants', acme.token)).json()) as { id: string }[];
    expect(mine.map((g) => g.id)).toEqual([grant.id]);
    expect((await a.request(`/v1/grants/${grant.id}/revoke`, acme.token, { method: 'POST' })).status).toBe(404);
    expect((await a.request(`/v1/grants/${grant.id}/revoke`, insure.token, { method: 'POST' })).status).toBe(200);
    expect((await a.request('/v1/jobs', acme.token, yaml(serveClaims))).status).toBe(403);
    const kinds = (await h.service.listAudit(1, 100, SYSTEM)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['grant.created', 'grant.revoked']));
  });

  it('sees through a public name over another tenant’s checksum, and through a renamed copy', async () => {
    const a = await app();
    const acme = await h.service.createToken({ name: 'acme', role: 'tenant-admin', tenant: 'acme-ai' }, SYSTEM);
    const sensitive = h.service.network.datasets.find((d) => d.name === 'medical-imaging-sh')?.checksum;
    const spec = (dataset: string) =>
      `name: t\nkind: train\ntenant: acme-ai\nresources: { accelerators: { H100: 8 } }\ndurationS: 60\ndatasets: [${dataset}]\n`;
    const disguised = await a.request(
      '/v1/quote',
      acme.token,
      yaml(spec(`{ name: common-crawl-zh, checksum: 'sha256:${sensitive}' }`)),
    );
    expect(disguised.status).toBe(400);
    expect(await errorOf(disguised)).toMatchObject({
      code: 'INVALID_FIELD',
      field: 'datasets[0].checksum',
      message: expect.stringContaining('medical-imaging-sh'),
    });
    const renamed = await a.request(
      '/v1/quote',
      acme.token,
      yaml(spec(`{ name: my-copy, sizeGb: 800, sites: [shanghai], checksum: 'sha256:${sensitive}' }`)),
    );
    expect(renamed.status).toBe(403);
    expect(String((await errorOf(renamed))['message'])).toContain(
      'ACCESS-01: dataset medical-imaging-sh belongs to tenant hospital-ai',
    );
  });

  it('keeps public data sets (no owner) open to every tenant', async () => {
    h = await harness({
      network: parseNetwork(
        `name: tiny\nsites:\n  - { id: s, name: S, province: P, lat: 30, lon: 110, pue: 1.2, powerCapMw: 5, gridCarbonKgPerKwh: 0.5, tariff: { flatCnyPerKwh: 0.5 }, pools: [{ accelerator: H100, count: 16, priceCnyPerAcceleratorHour: 10 }] }\ndatasets:\n  - { name: open-corpus, sizeGb: 10, replicas: [s] }\n  - { name: private, sizeGb: 10, replicas: [s], owner: owner-co }\ntenants:\n  - { id: owner-co, name: Owner, sector: research }\n  - { id: other, name: Other, sector: research }\n`,
        'tiny.yaml',
      ),
    });
    const spec = (d: string) =>
      `name: t\nkind: train\ntenant: other\nresources: { accelerators: { H100: 8 } }\ndurationS: 60\ndatasets: [{ name: ${d} }]\n`;
    expect((await h.service.submit({ text: spec('open-corpus') }, SYSTEM)).state).toBe('pending');
    await expect(h.service.submit({ text: spec('private') }, SYSTEM)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('the last operator token', () => {
  it('cannot be revoked: nobody could issue a token again', async () => {
    h = await harness();
    const ops = { name: 'ops', role: 'operator' as const };
    const only = await h.service.createToken({ name: 'root', role: 'operator' }, SYSTEM);
    await expect(h.service.access.revokeToken(only.id, ops)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('last working operator token'),
    });
    const second = await h.service.createToken({ name: 'root-2', role: 'operator' }, SYSTEM);
    await h.service.access.revokeToken(only.id, ops);
    await expect(h.service.access.revokeToken(second.id, ops)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
