import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { SlurmBackend } from '@suanli/backends';
import { parseNetwork, SYSTEM } from '@suanli/service';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lockSlurm } from '../packages/backends/src/slurm/slurm-lock.fixture.ts';
import { type Harness, harness } from '../packages/server/src/harness.fixture.ts';

const url = process.env['SLURMRESTD_URL'];

/** One site whose 16 H100 are four Slurm nodes of four GPUs. */
const NETWORK = parseNetwork(
  `name: slurm-site
sites:
  - id: lab
    name: Lab cluster
    province: Test
    lat: 30
    lon: 110
    pue: 1.2
    powerCapMw: 5
    gridCarbonKgPerKwh: 0.5
    tariff: { flatCnyPerKwh: 0.5 }
    pools:
      - { accelerator: H100, count: 16, priceCnyPerAcceleratorHour: 10, backend: slurm }
tenants:
  - { id: lab, name: Lab, sector: research }
`,
  'slurm-site.yaml',
);

const spec = (name: string, durationS: number) =>
  `name: ${name}\nkind: train\ntenant: lab\nresources: { accelerators: { H100: 4 } }\ngang: 2\ndurationS: ${durationS}\n`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.store.close();
  h = undefined;
});

async function until(check: () => Promise<boolean>, timeoutS = 60): Promise<void> {
  const end = Date.now() + timeoutS * 1000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe.skipIf(!url)('jobs on a real Slurm (needs SLURMRESTD_URL: ../shared/scripts/slurm-up.sh)', () => {
  // One file at a time on the real Slurm: another file downing a node would fail this one's jobs.
  let release: (() => void) | undefined;
  beforeAll(async () => {
    release = await lockSlurm();
  }, 300_000);
  afterAll(() => release?.());
  const slurm = () =>
    new SlurmBackend({
      url: url as string,
      clock: { nowS: () => Date.now() / 1000 },
      speedup: 60,
      gpusPerNode: 4,
      namePrefix: `s${randomBytes(4).toString('hex')}`,
    });

  it('hands a job to Slurm and follows it to success; a restart in between runs nothing twice', async () => {
    const backend = slurm();
    const clock = { nowS: () => Date.now() / 1000, advance: () => {}, set: () => {} };
    h = await harness({ network: NETWORK, backends: new Map([['slurm', backend]]), clock });
    const job = await h.service.submit({ text: spec('on-slurm', 240) }, SYSTEM);
    await h.cycle();
    const placed = await h.service.getJob(job.id, SYSTEM);
    expect(placed.backend).toBe('slurm');
    expect(placed.externalId).toMatch(/^slurm:\d+$/);

    // A second server on the same store (a restart): it finds the job where Slurm has it.
    h = await h.restart();
    await h.service.dispatch();
    expect((await h.service.getJob(job.id, SYSTEM)).externalId).toBe(placed.externalId);
    // Submitting the same Suanli job to Slurm again is answered with the same Slurm job.
    const again = await backend.submit({
      jobId: job.id,
      name: 'on-slurm',
      tenant: 'lab',
      siteId: 'lab',
      poolId: 'lab-h100',
      accelerator: 'H100',
      count: 8,
      durationS: 240,
      stageS: 0,
    });
    expect(again.externalId).toBe(placed.externalId);

    await until(async () => {
      await h?.cycle();
      return (await h?.service.getJob(job.id, SYSTEM))?.state === 'succeeded';
    });
    expect(await h.service.getJob(job.id, SYSTEM)).toMatchObject({ state: 'succeeded', exitCode: 0 });
    const kinds = (await h.service.listAudit(1, 100, SYSTEM)).filter((e) => e.subject === job.id).map((e) => e.kind);
    expect(kinds).toEqual(['job.submitted', 'job.placed', 'job.dispatched', 'job.running', 'job.succeeded']);
  }, 90_000);

  it('requeues a job whose node goes down, runs it again in Slurm, and records each attempt once', async () => {
    const clock = { nowS: () => Date.now() / 1000, advance: () => {}, set: () => {} };
    h = await harness({ network: NETWORK, backends: new Map([['slurm', slurm()]]), clock });
    // Retried at once (no back-off), on the same site: the only one.
    const text = `${spec('node-dies', 36_000)}recovery: { backoffS: 0 }\ncheckpoint: { intervalS: 600, sizeGb: 10 }\n`;
    const job = await h.service.submit({ text }, SYSTEM);
    await until(async () => {
      await h?.cycle();
      return (await h?.service.getJob(job.id, SYSTEM))?.state === 'running';
    });
    const first = await h.service.getJob(job.id, SYSTEM);
    const res = await fetch(`${url}/slurm/v0.0.38/job/${first.externalId?.replace('slurm:', '')}`);
    const nodes = String(((await res.json()) as { jobs: { nodes?: string }[] }).jobs[0]?.nodes ?? '');
    // One of its nodes (`n[1-2]` → n1) goes down under it.
    const downed = execFileSync('scontrol', ['show', 'hostnames', nodes]).toString().trim().split('\n')[0] ?? nodes;
    execFileSync('scontrol', ['update', `nodename=${downed}`, 'state=down', 'reason=suanli-recovery-test']);
    try {
      await until(async () => {
        await h?.cycle();
        const r = await h?.service.getJob(job.id, SYSTEM);
        return (r?.attempt ?? 1) >= 2 && (r?.state === 'running' || r?.state === 'scheduled');
      }, 60);
    } finally {
      try {
        execFileSync('scontrol', ['update', `nodename=${downed}`, 'state=resume'], { stdio: 'ignore' });
      } catch {
        // ReturnToService brought it back already
      }
    }
    const again = await h.service.getJob(job.id, SYSTEM);
    expect(again.externalId).not.toBe(first.externalId);
    expect(again.failures?.[0]).toMatchObject({ attempt: 1, failureClass: 'node-failure' });
    const kinds = (await h.service.listAudit(1, 200, SYSTEM)).filter((e) => e.subject === job.id).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'job.retried')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'job.placed')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'job.dispatched')).toHaveLength(2);
    expect((await h.service.cancel(job.id, SYSTEM)).state).toBe('cancelled');
  }, 120_000);

  it('cancels a running job in Slurm', async () => {
    const clock = { nowS: () => Date.now() / 1000, advance: () => {}, set: () => {} };
    h = await harness({ network: NETWORK, backends: new Map([['slurm', slurm()]]), clock });
    const job = await h.service.submit({ text: spec('long', 36_000) }, SYSTEM);
    await until(async () => {
      await h?.cycle();
      return (await h?.service.getJob(job.id, SYSTEM))?.state === 'running';
    });
    expect((await h.service.cancel(job.id, SYSTEM)).state).toBe('cancelled');
  }, 90_000);
});

describe('a Slurm that cannot be reached', () => {
  it('keeps the job placed and waiting for it, never dropped, and says why', async () => {
    const clock = { nowS: () => Date.now() / 1000, advance: () => {}, set: () => {} };
    const dead = new SlurmBackend({ url: 'http://127.0.0.1:9', clock, maxBackoffS: 1 });
    h = await harness({ network: NETWORK, backends: new Map([['slurm', dead]]), clock });
    const job = await h.service.submit({ text: spec('waits', 240) }, SYSTEM);
    await h.cycle();
    await h.cycle();
    const waiting = await h.service.getJob(job.id, SYSTEM);
    expect(waiting).toMatchObject({ state: 'scheduled', backend: 'slurm' });
    expect(waiting.externalId).toBeUndefined();
    expect(waiting.message).toMatch(/^waiting for backend slurm: slurm unreachable/);
  });
});
