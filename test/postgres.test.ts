import { randomBytes } from 'node:crypto';
import { SYSTEM } from '@suanli/service';
import { openPostgresStore } from '@suanli/store';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness, TRAIN_SPEC } from '../packages/server/src/harness.fixture.ts';

// Tests take their database from SUANLI_TEST_DATABASE_URL (so a DATABASE_URL meant for a server is never wiped), else DATABASE_URL.
const url = process.env['SUANLI_TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
let h: Harness | undefined;
afterEach(async () => {
  await h?.store.close();
  h = undefined;
});

describe.skipIf(!url)(
  'the service on PostgreSQL (needs DATABASE_URL: ../shared/scripts/postgres-up.sh; .ci/run starts one)',
  () => {
    it('takes a job to success, keeps its audit chain, and finds it all again after a restart', async () => {
      const schema = `s_${randomBytes(6).toString('hex')}`;
      h = await harness({ openStore: () => openPostgresStore(url as string, { schema }) });
      const job = await h.service.submit({ text: TRAIN_SPEC }, SYSTEM);
      await h.cycle();
      h.clock.advance(5);
      await h.cycle();
      h.clock.advance(3600);
      await h.cycle();
      expect((await h.service.getJob(job.id, SYSTEM)).state).toBe('succeeded');
      expect(await h.service.verifyAudit(SYSTEM)).toMatchObject({ ok: true, entries: 5 });
      const head = await h.service.auditLog.head();
      h = await h.restart();
      expect((await h.service.getJob(job.id, SYSTEM)).state).toBe('succeeded');
      const again = await h.service.auditLog.head();
      expect(again.rootHash).toBe(head.rootHash);
    });

    it('keeps one gap-free chain when two services write to the same database at once', async () => {
      const schema = `s_${randomBytes(6).toString('hex')}`;
      h = await harness({ openStore: () => openPostgresStore(url as string, { schema }) });
      const other = await harness({ openStore: () => openPostgresStore(url as string, { schema }) });
      try {
        await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 ? h : other)?.service.submit({ text: TRAIN_SPEC }, SYSTEM)),
        );
        expect(await h.service.verifyAudit(SYSTEM)).toMatchObject({ ok: true, entries: 40 });
        expect(await other.service.listJobs({}, SYSTEM)).toHaveLength(40);
      } finally {
        await other.store.close();
      }
    });

    it('refuses a token revoked on one server at once on every other server of the database', async () => {
      const schema = `s_${randomBytes(6).toString('hex')}`;
      h = await harness({ openStore: () => openPostgresStore(url as string, { schema }) });
      const other = await harness({ openStore: () => openPostgresStore(url as string, { schema }) });
      try {
        const alice = await h.service.createToken({ name: 'alice', role: 'tenant-member', tenant: 'acme-ai' }, SYSTEM);
        expect(await other.service.authenticate(alice.token)).toMatchObject({ name: 'alice', tenant: 'acme-ai' });
        await h.service.access.revokeToken(alice.id, { name: 'ops', role: 'operator' });
        await expect(other.service.authenticate(alice.token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      } finally {
        await other.store.close();
      }
    });
  },
);
