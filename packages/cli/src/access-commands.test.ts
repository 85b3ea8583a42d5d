import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@suanli/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliWith } from './cli.fixture.ts';
import { durationS } from './duration.ts';

let server: RunningServer;
const dir = mkdtempSync(join(tmpdir(), 'suanli-cli-access-'));
beforeAll(async () => {
  server = await startServer({ port: 0, dataDir: join(dir, 'data'), logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await server.close();
});

const as = (token: string | undefined) => cliWith(() => ({ SUANLI_URL: server.url, SUANLI_TOKEN: token }));

describe('suanli tokens and grants', () => {
  it('issues a token that expires, lists it without the token, revokes it, and the token stops working', async () => {
    const ops = as(server.operatorToken);
    const created = await ops(
      'tokens',
      'create',
      '--name',
      'alice',
      '--role',
      'tenant-member',
      '--tenant',
      'acme-ai',
      '--expires-in',
      '90d',
      '--json',
    );
    expect(created.code, created.stderr).toBe(0);
    const t = JSON.parse(created.stdout) as { token: string; id: string; expiresAtS: number };
    expect(t.expiresAtS).toBeGreaterThan(Date.now() / 1000 + 89 * 86_400);
    const list = await ops('tokens', 'list');
    expect(list.stdout).toMatch(/^ID\s+NAME\s+ROLE/);
    expect(list.stdout).toContain(t.id);
    expect(list.stdout).not.toContain(t.token);
    expect((await as(t.token)('jobs')).code).toBe(0);
    const revoked = await ops('tokens', 'revoke', t.id);
    expect(revoked.stdout).toBe(`revoked ${t.id} (tenant-member of acme-ai alice)\n`);
    const refused = await as(t.token)('jobs');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/revoked \[UNAUTHENTICATED\]\n$/);
    expect((await ops('tokens', 'revoke', t.id)).stderr).toMatch(/\[ALREADY_REVOKED\]\n$/);
    expect((await ops('tokens', 'create', '--name', 'x', '--role', 'auditor', '--expires-in', 'soon')).code).toBe(2);
  });

  it('grants a model to another tenant and revokes the grant', async () => {
    const ops = as(server.operatorToken);
    const g = await ops('grants', 'create', '--model', 'claims-scorer', '--to', 'acme-ai', '--json');
    expect(g.code, g.stderr).toBe(0);
    const grant = JSON.parse(g.stdout) as { id: string; owner: string };
    expect(grant.owner).toBe('insure-co');
    expect((await ops('grants', 'list')).stdout).toContain(`${grant.id}`);
    expect((await ops('grants', 'revoke', grant.id)).stdout).toContain(`revoked ${grant.id}`);
    expect((await ops('grants', 'create', '--to', 'acme-ai')).stderr).toMatch(/either --model or --dataset/);
    expect((await ops('grants', 'create', '--dataset', 'nope', '--to', 'acme-ai')).stderr).toMatch(
      /\[UNKNOWN_DATASET\]/,
    );
  });

  it('reads durations as a user writes them', () => {
    expect(durationS('90d', '--x')).toBe(90 * 86_400);
    expect(durationS('12h', '--x')).toBe(43_200);
    expect(durationS('3600', '--x')).toBe(3600);
    expect(() => durationS('1y', '--x')).toThrow(/--x must look like/);
  });
});
