import type { AuditEvent, JobRecord, JobSpec, Store } from '@suanli/service';
import { verifyAuditChain } from '@suanli/service';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

export interface StoreFactory {
  /** A new, empty, migrated store. */
  open(): Promise<Store>;
  /** The same database opened again (persistence), if the adapter has one. */
  reopen?(): Promise<Store>;
}

const spec: JobSpec = {
  name: 'train-1',
  kind: 'train',
  tenant: 'acme',
  options: [{ accelerator: 'H100', perMember: 8 }],
  gang: 1,
  durationS: 3600,
  datasets: [],
  objective: { cost: 1, carbon: 1, time: 1 },
  priority: 0,
  preemptible: true,
};

export function job(id: string, over: Partial<JobRecord> = {}): JobRecord {
  return { id, state: 'pending', spec, submittedAtS: 1000, updatedAtS: 1000, ...over };
}

const event = (kind: string, subject: string, atS = 1000): AuditEvent => ({ atS, kind, subject, data: { kind } });

async function auditOk(store: Store) {
  return verifyAuditChain(
    (async function* () {
      yield await store.listAudit(1, 100_000);
    })(),
  );
}

/** The behaviour every Store adapter must have. Each adapter's test calls this once. */
export function storeContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('inserts a job with its audit entry and reads it back unchanged', async () => {
      const j = job('j-1', { spec: { ...spec, deadlineS: 9999, budgetCny: 50 } });
      await store.insertJob(j, event('job.submitted', 'j-1'));
      expect(await store.getJob('j-1')).toEqual(j);
      expect(await store.getJob('j-2')).toBeUndefined();
      const audit = await store.listAudit(1, 10);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        seq: 1,
        kind: 'job.submitted',
        subject: 'j-1',
        data: { kind: 'job.submitted' },
      });
    });

    it('refuses a duplicate id and writes no audit entry for it', async () => {
      await store.insertJob(job('j-1'), event('job.submitted', 'j-1'));
      await expect(store.insertJob(job('j-1'), event('job.submitted', 'j-1'))).rejects.toThrow();
      expect(await store.listAudit(1, 10)).toHaveLength(1);
    });

    it('changes state only from the expected states (compare-and-set)', async () => {
      await store.insertJob(job('j-1'), event('job.submitted', 'j-1'));
      const moved = await store.transitionJob(
        'j-1',
        ['pending'],
        { state: 'scheduled', backend: 'sim', updatedAtS: 1001 },
        event('job.placed', 'j-1', 1001),
      );
      expect(moved).toMatchObject({ id: 'j-1', state: 'scheduled', backend: 'sim', updatedAtS: 1001 });
      // A second placement attempt from 'pending' must not apply, nor leave an audit entry.
      expect(
        await store.transitionJob(
          'j-1',
          ['pending'],
          { state: 'scheduled', updatedAtS: 1002 },
          event('job.placed', 'j-1', 1002),
        ),
      ).toBeUndefined();
      expect(await store.transitionJob('nope', ['pending'], { updatedAtS: 1 })).toBeUndefined();
      expect((await store.listAudit(1, 10)).map((e) => e.kind)).toEqual(['job.submitted', 'job.placed']);
      expect((await store.getJob('j-1'))?.updatedAtS).toBe(1001);
    });

    it('updates without an audit entry when none is given', async () => {
      await store.insertJob(job('j-1'), event('job.submitted', 'j-1'));
      await store.transitionJob('j-1', ['pending'], { message: 'waiting for H100', updatedAtS: 1005 });
      expect(await store.getJob('j-1')).toMatchObject({ state: 'pending', message: 'waiting for H100' });
      expect(await store.listAudit(1, 10)).toHaveLength(1);
    });

    it('lists newest first, by state and tenant, with a limit, and counts by state', async () => {
      for (let i = 0; i < 5; i++) {
        await store.insertJob(
          job(`j-${i}`, { submittedAtS: 1000 + i, spec: { ...spec, tenant: i % 2 ? 'odd' : 'even' } }),
          event('job.submitted', `j-${i}`),
        );
      }
      await store.transitionJob('j-3', ['pending'], { state: 'running', updatedAtS: 2000 });
      expect((await store.listJobs()).map((j) => j.id)).toEqual(['j-4', 'j-3', 'j-2', 'j-1', 'j-0']);
      expect((await store.listJobs({ states: ['pending'], limit: 2 })).map((j) => j.id)).toEqual(['j-4', 'j-2']);
      expect((await store.listJobs({ tenant: 'odd' })).map((j) => j.id)).toEqual(['j-3', 'j-1']);
      expect(await store.listJobs({ states: [] })).toEqual([]);
      expect(await store.countJobsByState()).toMatchObject({ pending: 4, running: 1, succeeded: 0 });
    });

    it('keeps an unbroken hash chain across many changes', async () => {
      for (let i = 0; i < 20; i++) await store.insertJob(job(`j-${i}`), event('job.submitted', `j-${i}`, 1000 + i));
      for (let i = 0; i < 20; i += 2)
        await store.transitionJob(
          `j-${i}`,
          ['pending'],
          { state: 'cancelled', updatedAtS: 2000 },
          event('job.cancelled', `j-${i}`, 2000),
        );
      expect(await auditOk(store)).toMatchObject({ ok: true, entries: 30 });
      expect((await store.listAudit(25, 3)).map((e) => e.seq)).toEqual([25, 26, 27]);
    });

    it('appends entries of their own to the same chain, concurrent ones in some order without gaps', async () => {
      await store.insertJob(job('j-1'), event('job.submitted', 'j-1'));
      const entry = await store.appendAudit(event('dataset.registered', 'corpus'));
      expect(entry).toMatchObject({ seq: 2, kind: 'dataset.registered', subject: 'corpus' });
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendAudit(event('model.filed', `m-${i}`))));
      expect(await auditOk(store)).toMatchObject({ ok: true, entries: 12 });
    });

    it('appends guarded entries together, and nothing when an entry of a guarded kind came after the check', async () => {
      await store.appendAudit(event('price.set', 'pool-a'));
      const seen = await store.latestAuditSeq();
      await store.appendAudit(event('job.submitted', 'j-1'));
      const both = await store.appendAuditGuarded({ kinds: ['price.set', 'voucher.issued'], afterSeq: seen }, [
        event('voucher.issued', 'v-1'),
        event('voucher.redeemed', 'v-1'),
      ]);
      expect(both?.map((e) => [e.seq, e.kind])).toEqual([
        [3, 'voucher.issued'],
        [4, 'voucher.redeemed'],
      ]);
      const stale = await store.appendAuditGuarded({ kinds: ['voucher.issued'], afterSeq: seen }, [
        event('voucher.issued', 'v-2'),
      ]);
      expect(stale).toBeUndefined();
      expect(await store.latestAuditSeq()).toBe(4);
      expect(await auditOk(store)).toMatchObject({ ok: true, entries: 4 });
    });

    it('keeps fairness audits per model in order, and tokens by hash only', async () => {
      const audit = (modelId: string, atS: number, passed: boolean) => ({
        modelId,
        sector: 'finance' as const,
        weightsDigest: 'ab'.repeat(32),
        atS,
        passed,
        demographicParityDifference: 0.05,
        equalizedOddsDifference: 0.02,
        disparateImpactRatio: 0.9,
        inputDigest: 'cd'.repeat(32),
        report: {
          rows: 80,
          groups: [],
          demographicParityDifference: 0.05,
          equalizedOddsDifference: 0.02,
          disparateImpactRatio: 0.9,
          passed,
          failures: [],
          thresholds: {
            minDisparateImpactRatio: 0.8,
            maxDemographicParityDifference: 0.1,
            maxEqualizedOddsDifference: 0.1,
            minGroupSize: 30,
          },
        },
      });
      await store.insertModelAudit(audit('m1', 1000, false), event('model.audited', 'm1'));
      await store.insertModelAudit(audit('m2', 1500, true), event('model.audited', 'm2'));
      await store.insertModelAudit(audit('m1', 2000, true), event('model.audited', 'm1'));
      expect((await store.listModelAudits('m1')).map((a) => [a.atS, a.passed])).toEqual([
        [1000, false],
        [2000, true],
      ]);
      expect(await store.listModelAudits()).toHaveLength(3);
      expect(await store.countTokens()).toBe(0);
      const token = {
        tokenHash: 'ef'.repeat(32),
        name: 'alice',
        role: 'tenant-member' as const,
        tenant: 'lab',
        createdAtS: 1000,
      };
      await store.insertToken(token, event('token.created', 'lab'));
      expect(await store.findToken('ef'.repeat(32))).toEqual(token);
      expect(await store.findToken('00'.repeat(32))).toBeUndefined();
      expect(await store.countTokens()).toBe(1);
      expect(await auditOk(store)).toMatchObject({ ok: true, entries: 4 });
    });

    it('lists and revokes tokens, and keeps grants, each change with its audit entry', async () => {
      const token = (name: string, tenant?: string) => ({
        tokenHash: `${name.padEnd(8, '0')}`.repeat(8).slice(0, 64),
        name,
        role: 'tenant-member' as const,
        ...(tenant ? { tenant } : {}),
        createdAtS: 1000,
        expiresAtS: 5000,
      });
      await store.insertToken(token('alice', 'lab'), event('token.created', 'lab'));
      await store.insertToken(token('bob', 'other'), event('token.created', 'other'));
      expect((await store.listTokens()).map((t) => t.name).sort()).toEqual(['alice', 'bob']);
      expect((await store.listTokens('lab')).map((t) => t.name)).toEqual(['alice']);
      const hash = token('alice').tokenHash;
      expect(await store.revokeToken(hash, 2000, event('token.revoked', 'lab'))).toMatchObject({
        name: 'alice',
        expiresAtS: 5000,
        revokedAtS: 2000,
      });
      // A second revocation changes nothing and writes no entry.
      expect(await store.revokeToken(hash, 3000, event('token.revoked', 'lab'))).toBeUndefined();
      expect((await store.findToken(hash))?.revokedAtS).toBe(2000);

      const grant = {
        id: 'g-1',
        kind: 'model' as const,
        resource: 'm1',
        owner: 'lab',
        grantee: 'other',
        createdAtS: 1500,
        createdBy: 'admin',
      };
      await store.insertGrant(grant, event('grant.created', 'lab'));
      expect(await store.listGrants('other')).toEqual([grant]);
      expect(await store.listGrants('lab')).toEqual([grant]);
      expect(await store.listGrants('nobody')).toEqual([]);
      expect(await store.revokeGrant('g-1', 2500, event('grant.revoked', 'lab'))).toMatchObject({ revokedAtS: 2500 });
      expect(await store.revokeGrant('g-1', 2600, event('grant.revoked', 'lab'))).toBeUndefined();
      expect(await auditOk(store)).toMatchObject({ ok: true, entries: 5 });
    });

    it('serialises concurrent transitions of one job: exactly one wins', async () => {
      await store.insertJob(job('j-1'), event('job.submitted', 'j-1'));
      const attempts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.transitionJob(
            'j-1',
            ['pending'],
            { state: 'scheduled', updatedAtS: 1100 + i },
            event('job.placed', 'j-1', 1100 + i),
          ),
        ),
      );
      expect(attempts.filter((a) => a !== undefined)).toHaveLength(1);
      expect(await auditOk(store)).toMatchObject({ ok: true, entries: 2 });
    });

    it('keeps history: replaces a sample, averages it over buckets by step, compacts old samples', async () => {
      const T = 1_800_000_000; // a multiple of 900
      const sample = (atS: number, busy: number, stepS = 60, scope = 'network') => ({
        scope,
        atS,
        stepS,
        accelerators: 100,
        busy,
        queued: busy / 10,
        running: 1,
        powerKw: 1000 + busy,
        costFenPerHour: 5000,
        carbonKgPerHour: 400,
        greenKw: 50,
      });
      // Fifteen minutes of samples of a minute, busy 0..14; one written twice (the last one counts).
      await store.putHistory(Array.from({ length: 15 }, (_, i) => sample(T + i * 60, i)));
      await store.putHistory([sample(T + 14 * 60, 14), sample(T, 0, 60, 'site:west')]);
      const minutes = await store.readHistory('network', T, T + 900, 60);
      expect(minutes.map((m) => m.busy)).toEqual(Array.from({ length: 15 }, (_, i) => i));
      expect(minutes[3]).toEqual(sample(T + 180, 3));
      const [quarter] = await store.readHistory('network', T, T + 900, 900);
      expect(quarter).toMatchObject({ atS: T, stepS: 900, busy: 7, powerKw: 1007, accelerators: 100 });
      expect(await store.readHistory('network', T + 900, T + 1800, 60)).toEqual([]);
      expect(await store.readHistory('site:west', T, T + 900, 300)).toHaveLength(1);

      // The next quarter stays in minutes; the first is compacted into one sample of 900 s.
      await store.putHistory([sample(T + 900, 30), sample(T + 960, 40)]);
      expect(await store.compactHistory(T + 900, 900, 0)).toBe(16);
      const after = await store.readHistory('network', T, T + 1800, 60);
      expect(after.map((m) => [m.atS, m.stepS, m.busy])).toEqual([
        [T, 60, 7],
        [T + 900, 60, 30],
        [T + 960, 60, 40],
      ]);
      // Mixed steps weigh by their length: (7 × 900 + 30 × 60 + 40 × 60) ÷ 1020.
      const [half] = await store.readHistory('network', T, T + 1800, 1800);
      expect(half?.busy).toBeCloseTo((7 * 900 + 30 * 60 + 40 * 60) / 1020, 9);
      // Everything before the drop line goes.
      expect(await store.compactHistory(T, 900, T + 900)).toBe(2);
      expect((await store.readHistory('network', 0, T + 1800, 60)).map((m) => m.atS)).toEqual([T + 900, T + 960]);
    });

    if (factory.reopen) {
      const reopen = factory.reopen;
      it('keeps everything across a reopen', async () => {
        await store.insertJob(job('j-1'), event('job.submitted', 'j-1'));
        await store.close();
        store = await reopen();
        expect((await store.getJob('j-1'))?.id).toBe('j-1');
        expect(await auditOk(store)).toMatchObject({ ok: true, entries: 1 });
      });
    }
  });
}
