import { parseNetwork, SuanliError, SYSTEM } from '@suanli/service';
import { loadHighsSolver } from '@suanli/solver';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness, SMALL_NETWORK, smallSpec, TRAIN_SPEC } from '../packages/server/src/harness.fixture.ts';

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

describe('service with a real SQLite store and the sim backend', () => {
  it('takes a job from submission to success, recording every step in the audit log', async () => {
    h = await harness();
    const job = await h.service.submit({ text: TRAIN_SPEC }, SYSTEM);
    expect(job.state).toBe('pending');

    await h.cycle();
    const placed = await h.service.getJob(job.id, SYSTEM);
    expect(placed.state).toBe('scheduled');
    expect(placed.placement?.count).toBe(16);
    expect(placed.externalId).toMatch(/^sim:/);
    expect(placed.explanation?.verdicts).toHaveLength(15);

    h.clock.advance(5);
    await h.cycle();
    expect((await h.service.getJob(job.id, SYSTEM)).state).toBe('running');
    const site = (await h.service.sites(SYSTEM)).find((s) => s.id === placed.placement?.siteId);
    expect(site?.used).toBe(16);

    h.clock.advance(3600 / 60);
    await h.cycle();
    const done = await h.service.getJob(job.id, SYSTEM);
    expect(done).toMatchObject({ state: 'succeeded', exitCode: 0 });
    expect((await h.service.sites(SYSTEM)).every((s) => s.used === 0)).toBe(true);

    const audit = await h.service.listAudit(1, 100, SYSTEM);
    expect(audit.map((e) => e.kind)).toEqual([
      'job.submitted',
      'job.placed',
      'job.dispatched',
      'job.running',
      'job.succeeded',
    ]);
    expect(audit.every((e) => e.subject === job.id)).toBe(true);
    expect(await h.service.verifyAudit(SYSTEM)).toMatchObject({ ok: true, entries: 5 });
  });

  it('cancels pending and running jobs, and refuses to cancel a finished one', async () => {
    h = await harness();
    const a = await h.service.submit({ text: TRAIN_SPEC }, SYSTEM);
    expect((await h.service.cancel(a.id, SYSTEM)).state).toBe('cancelled');

    const b = await h.service.submit({ text: TRAIN_SPEC }, SYSTEM);
    await h.cycle();
    h.clock.advance(5);
    await h.cycle();
    expect((await h.service.getJob(b.id, SYSTEM)).state).toBe('running');
    expect((await h.service.cancel(b.id, SYSTEM)).state).toBe('cancelled');
    h.clock.advance(3600);
    await h.cycle();
    expect((await h.service.getJob(b.id, SYSTEM)).state).toBe('cancelled');

    await expect(h.service.cancel(a.id, SYSTEM)).rejects.toMatchObject({ code: 'JOB_NOT_CANCELLABLE' });
    await expect(h.service.cancel('j-nothere', SYSTEM)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
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
      await expect(h.service.submit({ text }, SYSTEM)).rejects.toBeInstanceOf(SuanliError);
    }
    const q = await h.service.quote({ text: TRAIN_SPEC }, SYSTEM);
    expect(q.options.length).toBeGreaterThan(0);
    expect(q.options[0]?.rank).toBe(1);
    expect(await h.service.listJobs({}, SYSTEM)).toEqual([]);
    expect(await h.service.listAudit(1, 10, SYSTEM)).toEqual([]);
  });

  it('queues jobs that do not fit now, and places them when capacity frees up', async () => {
    h = await harness();
    // 1,024 Ascend910B per job: only helinger and qingyang (4,096 each) hold one, wuhu/shaoguan/tianfu/guian (2,048) too.
    const big = TRAIN_SPEC.replace('{ H800: 8 }', '{ Ascend910B: 512 }').replace('gang: 2', 'gang: 8');
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push((await h.service.submit({ text: big }, SYSTEM)).id);
    await h.cycle();
    const states = await Promise.all(ids.map(async (id) => (await h.service.getJob(id, SYSTEM)).state));
    const waiting = states.filter((s) => s === 'pending').length;
    expect(waiting).toBeGreaterThan(0);
    const pendingJob = await h.service.getJob(ids[states.indexOf('pending')] ?? '', SYSTEM);
    expect(pendingJob.explanation?.summary).toMatch(/^(reserved|best|no site)/);

    for (let i = 0; i < 6; i++) {
      h.clock.advance(61);
      await h.cycle();
    }
    const after = await Promise.all(ids.map(async (id) => (await h.service.getJob(id, SYSTEM)).state));
    expect(after.filter((s) => s === 'succeeded').length).toBeGreaterThan(12 - waiting);
  });

  it('carries on after a restart: jobs placed before it still finish', async () => {
    h = await harness();
    const job = await h.service.submit({ text: TRAIN_SPEC }, SYSTEM);
    await h.cycle();
    h = await h.restart();
    h.clock.advance(3600);
    await h.cycle();
    expect((await h.service.getJob(job.id, SYSTEM)).state).toBe('succeeded');
    expect(await h.service.verifyAudit(SYSTEM)).toMatchObject({ ok: true });
  });
});

describe('service: quotas, preemption, why-pending, optimizer', () => {
  it('says why a job is pending: the quota of its cluster queue holds it', async () => {
    h = await harness({ network: parseNetwork(SMALL_NETWORK, 'small.yaml') });
    const first = await h.service.submit({ text: smallSpec('first', 'lab') }, SYSTEM);
    await h.cycle();
    expect((await h.service.getJob(first.id, SYSTEM)).state).toBe('scheduled');
    const second = await h.service.submit({ text: smallSpec('second', 'lab') }, SYSTEM);
    await h.cycle();
    const why = await h.service.why(second.id, SYSTEM);
    expect(why).toMatchObject({
      state: 'pending',
      decision: 'wait',
      quota: { clusterQueue: 'lab', flavours: [{ flavour: 'H100', nominal: 8, used: 8, available: 0, needs: 8 }] },
    });
    expect(why.verdicts[0]).toMatchObject({ outcome: 'filtered', plugin: 'quota' });
    expect(why.reason).toContain('cluster queue lab');
    const done = await h.service.why(first.id, SYSTEM);
    expect(done.decision).toBe('not-pending');
  });

  it('preempts a lower-priority job for a higher-priority one, and puts the victim back in the queue', async () => {
    // In real time (speedup 1), the running jobs hold the pool for 10 h: worth preempting.
    h = await harness({ network: parseNetwork(SMALL_NETWORK, 'small.yaml'), speedup: 1 });
    const low1 = await h.service.submit({ text: smallSpec('low-1', 'team', 'priorityClass: low\n') }, SYSTEM);
    const low2 = await h.service.submit({ text: smallSpec('low-2', 'team', 'priorityClass: low\n') }, SYSTEM);
    await h.cycle();
    h.clock.advance(5);
    await h.cycle();
    expect((await h.service.getJob(low2.id, SYSTEM)).state).toBe('running');
    const vip = await h.service.submit({ text: smallSpec('vip', 'team', 'priorityClass: high\n') }, SYSTEM);
    await h.cycle();
    expect((await h.service.getJob(vip.id, SYSTEM)).state).toBe('scheduled');
    const states = [await h.service.getJob(low1.id, SYSTEM), await h.service.getJob(low2.id, SYSTEM)];
    const victim = states.find((j) => j.state === 'pending');
    expect(victim?.message).toContain(`preempted by ${vip.id}`);
    expect(victim?.placement).toBeUndefined();
    expect(states.filter((j) => j.state === 'running')).toHaveLength(1);
    const kinds = (await h.service.listAudit(1, 100, SYSTEM)).map((e) => e.kind);
    expect(kinds).toContain('job.preempted');
    expect(await h.service.verifyAudit(SYSTEM)).toMatchObject({ ok: true });
  });

  it('runs the batch optimizer on demand: a dry run changes nothing, an applied one places jobs', async () => {
    h = await harness({ solver: await loadHighsSolver() });
    for (let i = 0; i < 3; i++) await h.service.submit({ text: TRAIN_SPEC.replace('llama-ft', `ft-${i}`) }, SYSTEM);
    const dry = await h.service.optimize(false, SYSTEM);
    expect(dry.applied).toBe(false);
    expect(dry.report?.status).not.toBe('fallback-greedy');
    expect(dry.decisions.placed).toBe(3);
    expect((await h.service.listJobs({ states: ['pending'] }, SYSTEM)).length).toBe(3);
    const applied = await h.service.optimize(true, SYSTEM);
    expect(applied.cycle?.placed).toBe(3);
    expect((await h.service.listJobs({ states: ['scheduled'] }, SYSTEM)).length).toBe(3);
  });

  it('plans reservations for jobs that can start only when running jobs end, mid-slot', async () => {
    h = await harness({ network: parseNetwork(SMALL_NETWORK, 'small.yaml'), solver: await loadHighsSolver() });
    await h.service.submit({ text: smallSpec('fills-the-pool', 'team', 'gang: 2\n') }, SYSTEM);
    await h.cycle();
    await h.service.submit({ text: smallSpec('b', 'team') }, SYSTEM);
    await h.service.submit({ text: smallSpec('c', 'team') }, SYSTEM);
    await h.cycle();
    const r = await h.service.optimize(false, SYSTEM);
    // The pool frees after 10 h of job time, 10 min on the sim backend at 60×: both jobs fit then.
    expect(r.report).toMatchObject({ status: 'optimal', assigned: 2, gapPct: 0 });
    expect(r.plan.map((p) => [p.kind, p.startS - r.atS])).toEqual([
      ['reserve', 600],
      ['reserve', 600],
    ]);
  });

  it('tells a waiting job its start in wall-clock time on a backend faster than real time', async () => {
    h = await harness({ network: parseNetwork(SMALL_NETWORK, 'small.yaml'), speedup: 60 });
    await h.service.submit({ text: smallSpec('fills-the-pool', 'team', 'gang: 2\n') }, SYSTEM);
    await h.cycle();
    const waiting = await h.service.submit({ text: smallSpec('waits', 'team') }, SYSTEM);
    const why = await h.service.why(waiting.id, SYSTEM);
    // 36,000 s of job time ahead of it run in 600 s at 60×, not 10 h.
    expect((why.expectedStartS ?? 0) - h.clock.nowS()).toBeLessThanOrEqual(601);
    expect(why.summary).not.toMatch(/10 h/);
    h.clock.advance(601);
    await h.cycle();
    await h.cycle();
    expect(['scheduled', 'running']).toContain((await h.service.getJob(waiting.id, SYSTEM)).state);
  });

  it('refuses to optimize without a solver', async () => {
    h = await harness();
    await expect(h.service.optimize(false, SYSTEM)).rejects.toMatchObject({ code: 'OPTIMIZER_UNAVAILABLE' });
  });
});
