import { SuanliError } from '@suanli/service';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness, TRAIN_SPEC } from '../packages/server/src/harness.fixture.ts';

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

describe('service with a real SQLite store and the sim backend', () => {
  it('takes a job from submission to success, recording every step in the audit log', async () => {
    h = await harness();
    const job = await h.service.submit({ text: TRAIN_SPEC });
    expect(job.state).toBe('pending');

    await h.cycle();
    const placed = await h.service.getJob(job.id);
    expect(placed.state).toBe('scheduled');
    expect(placed.placement?.count).toBe(16);
    expect(placed.externalId).toMatch(/^sim:/);
    expect(placed.explanation?.verdicts).toHaveLength(13);

    h.clock.advance(5);
    await h.cycle();
    expect((await h.service.getJob(job.id)).state).toBe('running');
    const site = (await h.service.sites()).find((s) => s.id === placed.placement?.siteId);
    expect(site?.used).toBe(16);

    h.clock.advance(3600 / 60);
    await h.cycle();
    const done = await h.service.getJob(job.id);
    expect(done).toMatchObject({ state: 'succeeded', exitCode: 0 });
    expect((await h.service.sites()).every((s) => s.used === 0)).toBe(true);

    const audit = await h.service.listAudit(1, 100);
    expect(audit.map((e) => e.kind)).toEqual([
      'job.submitted',
      'job.placed',
      'job.dispatched',
      'job.running',
      'job.succeeded',
    ]);
    expect(audit.every((e) => e.subject === job.id)).toBe(true);
    expect(await h.service.verifyAudit()).toMatchObject({ ok: true, entries: 5 });
  });

  it('cancels pending and running jobs, and refuses to cancel a finished one', async () => {
    h = await harness();
    const a = await h.service.submit({ text: TRAIN_SPEC });
    expect((await h.service.cancel(a.id)).state).toBe('cancelled');

    const b = await h.service.submit({ text: TRAIN_SPEC });
    await h.cycle();
    h.clock.advance(5);
    await h.cycle();
    expect((await h.service.getJob(b.id)).state).toBe('running');
    expect((await h.service.cancel(b.id)).state).toBe('cancelled');
    h.clock.advance(3600);
    await h.cycle();
    expect((await h.service.getJob(b.id)).state).toBe('cancelled');

    await expect(h.service.cancel(a.id)).rejects.toMatchObject({ code: 'JOB_NOT_CANCELLABLE' });
    await expect(h.service.cancel('j-nothere')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('stores nothing for bad input and for quotes', async () => {
    h = await harness();
    const bad = [
      'name: [',
      TRAIN_SPEC.replace('H800', 'H900'),
      TRAIN_SPEC.replace('H800: 8', 'H800: -1'),
      TRAIN_SPEC.replace('gang: 2', 'gang: 9999'),
      `${TRAIN_SPEC}datasets: [{ name: x, sizeGb: 1, sites: [mars] }]\n`,
    ];
    for (const text of bad) {
      await expect(h.service.submit({ text })).rejects.toBeInstanceOf(SuanliError);
    }
    const q = await h.service.quote({ text: TRAIN_SPEC });
    expect(q.options.length).toBeGreaterThan(0);
    expect(q.options[0]?.rank).toBe(1);
    expect(await h.service.listJobs()).toEqual([]);
    expect(await h.service.listAudit(1, 10)).toEqual([]);
  });

  it('queues jobs that do not fit now, and places them when capacity frees up', async () => {
    h = await harness();
    // 1,024 Ascend910B per job: only helinger and qingyang (4,096 each) hold one, wuhu/shaoguan/tianfu/guian (2,048) too.
    const big = TRAIN_SPEC.replace('{ H800: 8 }', '{ Ascend910B: 512 }').replace('gang: 2', 'gang: 8');
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push((await h.service.submit({ text: big })).id);
    await h.cycle();
    const states = await Promise.all(ids.map(async (id) => (await h.service.getJob(id)).state));
    const waiting = states.filter((s) => s === 'pending').length;
    expect(waiting).toBeGreaterThan(0);
    const pendingJob = await h.service.getJob(ids[states.indexOf('pending')] ?? '');
    expect(pendingJob.explanation?.summary).toMatch(/^(reserved|best|no site)/);

    for (let i = 0; i < 6; i++) {
      h.clock.advance(61);
      await h.cycle();
    }
    const after = await Promise.all(ids.map(async (id) => (await h.service.getJob(id)).state));
    expect(after.filter((s) => s === 'succeeded').length).toBeGreaterThan(12 - waiting);
  });

  it('carries on after a restart: jobs placed before it still finish', async () => {
    h = await harness();
    const job = await h.service.submit({ text: TRAIN_SPEC });
    await h.cycle();
    h = await h.restart();
    h.clock.advance(3600);
    await h.cycle();
    expect((await h.service.getJob(job.id)).state).toBe('succeeded');
    expect(await h.service.verifyAudit()).toMatchObject({ ok: true });
  });
});
