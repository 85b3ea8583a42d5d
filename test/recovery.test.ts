import { SYSTEM, toEngineJob } from '@suanli/service';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../packages/server/src/harness.fixture.ts';

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

const TRAIN = `name: big-train
kind: train
tenant: acme-ai
resources: { accelerators: { H800: 8 } }
gang: 2
durationS: 36000
checkpoint: { intervalS: 1800, sizeGb: 100 }
`;

/** Runs the loop's two steps: what the backends say, then a cycle. */
async function step(s = 0) {
  h.clock.advance(s);
  await h.cycle();
}

describe('recovery of failed runs (real SQLite store, sim backend)', () => {
  it('requeues a gang whole after a node failure, keeps the work to its last checkpoint, backs off, and runs it again', async () => {
    h = await harness({ speedup: 60, startDelayS: 0 });
    const job = await h.service.submit({ text: TRAIN }, SYSTEM);
    await step();
    await step(1);
    let r = await h.service.getJob(job.id, SYSTEM);
    expect(r.state).toBe('running');
    const first = r.placement;
    // 100 s of wall time at 60×: 6,000 s of work, of which 5,400 s (three checkpoints) are kept.
    h.clock.advance(100);
    h.sim.fail(r.externalId as string, 'node-failure');
    await step();
    r = await h.service.getJob(job.id, SYSTEM);
    expect(r.state).toBe('pending');
    expect(r.restarts).toBe(1);
    expect(r.placement).toBeUndefined();
    const failed = r.failures?.[0];
    expect(failed).toMatchObject({ attempt: 1, siteId: first?.siteId, failureClass: 'node-failure', keptS: 5400 });
    expect(failed?.ranS).toBeGreaterThanOrEqual(6000);
    expect(failed?.ranS).toBeLessThan(6120);
    expect(failed?.lostS).toBeCloseTo((failed?.ranS ?? 0) - 5400, 6);
    expect(r.doneS).toBeCloseTo(5400 * (36000 / (first?.estimate.durationS ?? 36000)), 6);
    expect(r.notBeforeS).toBeCloseTo((failed?.atS ?? 0) + 60, 6);
    // Its checkpoint stays where it was written: a restart elsewhere stages it (data gravity prices it).
    expect(r.checkpointSiteId).toBe(first?.siteId);
    expect(toEngineJob(r).datasets.at(-1)).toMatchObject({
      name: `checkpoint of ${job.id}`,
      sizeGb: 100,
      replicas: [first?.siteId],
      level: 'general',
    });
    const audit = await h.service.listAudit(1, 100, SYSTEM);
    expect(audit.find((e) => e.kind === 'job.retried')?.data).toMatchObject({
      failureClass: 'node-failure',
      restart: 1,
      keptS: 5400,
    });

    // Not placed during the back-off; placed again (attempt 2, the whole gang) after it.
    await step(30);
    expect((await h.service.getJob(job.id, SYSTEM)).state).toBe('pending');
    await step(31);
    r = await h.service.getJob(job.id, SYSTEM);
    expect(r.state === 'scheduled' || r.state === 'running').toBe(true);
    expect(r.attempt).toBe(2);
    expect(r.placement?.count).toBe(16);
    // What is left to run is the estimate less the kept work; elsewhere, the checkpoint moves first.
    expect(r.placement?.estimate.durationS).toBeLessThan(first?.estimate.durationS ?? 0);
    if (r.placement?.siteId !== first?.siteId) expect(r.placement?.estimate.transferGb).toBeGreaterThanOrEqual(100);
  });

  it('fails for good on a program error, and after the last restart', async () => {
    h = await harness({ speedup: 60, startDelayS: 0 });
    const job = await h.service.submit({ text: TRAIN.replace('big-train', 'crashy') }, SYSTEM);
    await step();
    await step(1);
    let r = await h.service.getJob(job.id, SYSTEM);
    h.clock.advance(10);
    h.sim.fail(r.externalId as string, 'user-error', { exitCode: 1 });
    await step();
    r = await h.service.getJob(job.id, SYSTEM);
    expect(r.state).toBe('failed');
    expect(r.message).toContain('user-error (exit 1) is not retried by its recovery policy');
    expect((await h.service.listAudit(1, 100, SYSTEM)).at(-1)).toMatchObject({
      kind: 'job.failed',
      data: { failureClass: 'user-error', exitCode: 1 },
    });

    const once = await h.service.submit(
      { text: `${TRAIN.replace('big-train', 'once')}recovery: { maxRestarts: 1, backoffS: 0, failover: same-site }\n` },
      SYSTEM,
    );
    for (const last of [false, true]) {
      await step(1);
      await step(1);
      r = await h.service.getJob(once.id, SYSTEM);
      expect(r.state).toBe('running');
      h.clock.advance(5);
      h.sim.fail(r.externalId as string, 'accelerator-error');
      await step();
      r = await h.service.getJob(once.id, SYSTEM);
      // Without a back-off the retry is placed again in the same step.
      if (last) expect(r.state).toBe('failed');
      else expect(['pending', 'scheduled']).toContain(r.state);
    }
    expect(r.failures?.map((f) => f.outcome)).toEqual([
      expect.stringContaining('restart 1 of 1 after 0 s, at the same site'),
      'accelerator-error: all 1 restarts used',
    ]);
    // Same-site failover kept it where it ran.
    expect(new Set(r.failures?.map((f) => f.siteId)).size).toBe(1);
  });

  it('refuses bad recovery and checkpoint fields with the field named, storing nothing', async () => {
    h = await harness();
    const bad = [
      ['recovery: { maxRestarts: -1 }', 'recovery.maxRestarts'],
      ['recovery: { maxRestarts: 1000000 }', 'recovery.maxRestarts'],
      ['recovery: { retryOn: [gremlins] }', 'recovery.retryOn[0]'],
      ['recovery: { retryOn: [0] }', 'recovery.retryOn[0]'],
      ['recovery: { failover: elsewhere }', 'recovery.failover'],
      ['checkpoint: { intervalS: 0, sizeGb: 10 }', 'checkpoint.intervalS'],
      ['checkpoint: { intervalS: 600 }', 'checkpoint.sizeGb'],
    ] as const;
    for (const [extra, field] of bad) {
      const e = await h.service.submit({ text: `${TRAIN.replace(/checkpoint:.*\n/, '')}${extra}\n` }, SYSTEM).then(
        () => undefined,
        (err: unknown) => err as { code: string; location: { field?: string } },
      );
      expect(e?.code, extra).toBe('INVALID_FIELD');
      expect(e?.location.field, extra).toBe(field);
    }
    expect(await h.service.listJobs({}, SYSTEM)).toEqual([]);
  });
});
