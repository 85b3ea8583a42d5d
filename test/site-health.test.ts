import { SimBackend } from '@suanli/backends';
import type { Network } from '@suanli/engine';
import { builtinNetwork, type SuanliError, SYSTEM } from '@suanli/service';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness, manualClock } from '../packages/server/src/harness.fixture.ts';

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

const TRAIN = `name: long-train
kind: train
tenant: acme-ai
resources: { accelerators: { H800: 8 } }
gang: 2
durationS: 36000
checkpoint: { intervalS: 1800, sizeGb: 100 }
`;

/** The built-in network with one site's pools run by another backend (`far`). */
function withFarSite(siteId: string): Network {
  const n = builtinNetwork();
  return {
    ...n,
    sites: n.sites.map((s) => (s.id === siteId ? { ...s, pools: s.pools.map((p) => ({ ...p, backend: 'far' })) } : s)),
  };
}

/**
 * A service whose first choice for TRAIN is run by its own backend (`far`, which a test makes fall
 * silent), with a health timeout of 60 s; the site and the backend are returned.
 */
async function withFarBackend(): Promise<{ first: string; far: SimBackend }> {
  // Where the job goes first: that site's manager is the one that falls silent.
  const probe = await harness();
  const first = (await probe.service.quote({ text: TRAIN }, SYSTEM)).options[0]?.siteId as string;
  await probe.store.close();
  const clock = manualClock();
  const far = new SimBackend({ clock, speedup: 60, startDelayS: 0, name: 'far' });
  h = await harness({
    network: withFarSite(first),
    clock,
    speedup: 60,
    startDelayS: 0,
    backends: new Map([['far', far]]),
    healthTimeoutS: 60,
  });
  return { first, far };
}

async function step(s = 0) {
  h.clock.advance(s);
  await h.cycle();
}

const audit = async (kind: string) =>
  (await h.service.listAudit(1, 1000, SYSTEM)).filter((e) => e.kind === kind).map((e) => e.data);

describe('site health (real SQLite store, two sim backends)', () => {
  it('takes a silent backend’s site out, fails its run over, avoids it, brings it back, and fences the old attempt', async () => {
    const { first, far } = await withFarBackend();
    const job = await h.service.submit({ text: TRAIN }, SYSTEM);
    await step();
    await step(1);
    let r = await h.service.getJob(job.id, SYSTEM);
    expect(r).toMatchObject({ state: 'running', backend: 'far', attempt: 1 });
    const oldRun = r.externalId as string;

    // Silent (since the first poll it did not answer) for less than the timeout: nothing changes.
    far.setReachable(false);
    await step(1);
    await step(30);
    expect((await h.service.getJob(job.id, SYSTEM)).state).toBe('running');
    expect((await h.service.networkHealth(SYSTEM)).sites.every((s) => s.state === 'in-service')).toBe(true);
    // At it: the site is out, the run failed as backend-unreachable, its fence pending.
    await step(30);
    const health = await h.service.networkHealth(SYSTEM);
    expect(health.sites.find((s) => s.siteId === first)).toMatchObject({
      state: 'out',
      failureClass: 'backend-unreachable',
    });
    expect(health.sites.find((s) => s.siteId === first)?.reason).toMatch(/^backend far has not answered for 60 s/);
    expect((await h.service.sites(SYSTEM)).find((s) => s.id === first)?.outage?.failureClass).toBe(
      'backend-unreachable',
    );
    r = await h.service.getJob(job.id, SYSTEM);
    expect(r.state).toBe('pending');
    expect(r.failures?.[0]).toMatchObject({
      attempt: 1,
      siteId: first,
      failureClass: 'backend-unreachable',
      backend: 'far',
      externalId: oldRun,
      fence: 'pending',
      // Its checkpoints were written at the lost site: a restart elsewhere starts from the beginning.
      keptS: 0,
    });
    expect(r.failures?.[0]?.outcome).toContain('from the beginning: its checkpoint is at');
    expect(r.doneS ?? 0).toBe(0);
    expect(r.checkpointSiteId).toBeUndefined();
    expect(await audit('site.unhealthy')).toEqual([expect.objectContaining({ siteId: first })]);

    // The ledger of a restarted service knows the site is out (from the audit log).
    h = await h.restart();
    expect((await h.service.networkHealth(SYSTEM)).sites.find((s) => s.siteId === first)?.state).toBe('out');

    // After the back-off: placed elsewhere, and the explanation says why.
    await step(61);
    r = await h.service.getJob(job.id, SYSTEM);
    expect(['scheduled', 'running']).toContain(r.state);
    expect(r.attempt).toBe(2);
    expect(r.placement?.siteId).not.toBe(first);
    expect(r.explanation?.notes.find((n) => n.startsWith('failover'))).toMatch(
      new RegExp(
        `^failover from ${first} after backend-unreachable: ${first} is out of service \\(backend-unreachable\\); ${r.placement?.siteId} chosen as the best option left; no checkpoint to resume from`,
      ),
    );
    const quote = await h.service.quote({ text: TRAIN }, SYSTEM);
    expect(quote.rejected.find((v) => v.siteId === first)).toMatchObject({ plugin: 'site-health' });

    // The backend answers again: the site is back, the old attempt's late report is recorded and
    // ignored (the job stays on its new attempt), and the old run is cancelled.
    far.setReachable(true);
    await step(5);
    expect((await h.service.networkHealth(SYSTEM)).sites.find((s) => s.siteId === first)?.state).toBe('in-service');
    expect(await audit('site.healthy')).toEqual([expect.objectContaining({ siteId: first })]);
    expect(await audit('job.late-report')).toEqual([
      expect.objectContaining({ attempt: 1, externalId: oldRun, state: 'running' }),
    ]);
    expect(await audit('job.fenced')).toEqual([expect.objectContaining({ attempt: 1, cancelled: true })]);
    expect((await far.poll([oldRun]))[0]?.state).toBe('cancelled');
    r = await h.service.getJob(job.id, SYSTEM);
    expect(r.attempt).toBe(2);
    expect(r.failures?.[0]?.fence).toBe('done');
    expect(['scheduled', 'running']).toContain(r.state);
  });

  it('lets an operator take a site out as a drill (its runs fail over at the next sync, old runs cancelled) and back; others may not', async () => {
    h = await harness({ speedup: 60, startDelayS: 0 });
    const job = await h.service.submit({ text: TRAIN }, SYSTEM);
    await step();
    await step(1);
    let r = await h.service.getJob(job.id, SYSTEM);
    const site = r.placement?.siteId as string;
    const out = await h.service.setSiteHealth(site, true, 'maintenance drill', SYSTEM);
    expect(out).toMatchObject({ siteId: site, state: 'out', failureClass: 'site-outage' });
    // The server that schedules fails the runs there when it next asks the backends, as of the outage.
    await step();
    r = await h.service.getJob(job.id, SYSTEM);
    expect(r.failures?.[0]?.atS).toBe(h.clock.nowS());
    expect(r.failures?.[0]).toMatchObject({ failureClass: 'site-outage', fence: 'done' });
    expect(await audit('job.fenced')).toEqual([expect.objectContaining({ cancelled: true })]);
    // Again: nothing changes, nothing is logged twice.
    await h.service.setSiteHealth(site, true, 'again', SYSTEM);
    expect(await audit('site.unhealthy')).toHaveLength(1);
    await step(61);
    r = await h.service.getJob(job.id, SYSTEM);
    expect(r.placement?.siteId).not.toBe(site);
    expect((await h.service.setSiteHealth(site, false, '', SYSTEM)).state).toBe('in-service');
    expect(await audit('site.healthy')).toHaveLength(1);

    const cuts = await h.service.setLinkHealth('helinger', 'shanghai', true, 'fibre cut', SYSTEM);
    expect(cuts).toEqual([expect.objectContaining({ from: 'helinger', to: 'shanghai' })]);
    expect(await h.service.setLinkHealth('shanghai', 'helinger', false, '', SYSTEM)).toEqual([]);
    expect((await h.service.alerts(20, SYSTEM)).map((a) => a.kind)).toEqual(
      expect.arrayContaining(['site.unhealthy', 'site.healthy', 'link.cut', 'link.restored', 'job.fenced']),
    );

    const tenant = { name: 'dev', role: 'tenant-member' as const, tenant: 'acme-ai' };
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => (e as SuanliError).code,
      );
    expect(await refused(h.service.setSiteHealth(site, true, 'x', tenant))).toBe('FORBIDDEN');
    expect(await refused(h.service.setSiteHealth('atlantis', true, 'x', SYSTEM))).toBe('SITE_NOT_FOUND');
    expect(await refused(h.service.setLinkHealth('helinger', 'helinger', true, 'x', SYSTEM))).toBe('INVALID_FIELD');
    expect((await h.service.networkHealth(tenant)).sites.every((s) => s.state === 'in-service')).toBe(true);
  });

  it('brings back a site its silent backend took out, after a restart, when the backend answers', async () => {
    const { first, far } = await withFarBackend();
    const job = await h.service.submit({ text: TRAIN.replace('long-train', 'cut-off') }, SYSTEM);
    await step();
    await step(1);
    far.setReachable(false);
    await step(1);
    await step(60);
    expect((await h.service.networkHealth(SYSTEM)).sites.find((s) => s.siteId === first)?.state).toBe('out');
    // A new process: it never saw the backend silent, only the audit log says the site is out.
    h = await h.restart();
    far.setReachable(true);
    await step(1);
    expect((await h.service.networkHealth(SYSTEM)).sites.find((s) => s.siteId === first)?.state).toBe('in-service');
    // And it fenced the run cut off there (its fence was found in the store).
    expect((await h.service.getJob(job.id, SYSTEM)).failures?.[0]?.fence).toBe('done');
  });
});
