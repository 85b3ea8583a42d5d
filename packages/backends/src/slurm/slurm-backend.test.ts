import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendContract, backendJob } from '../backend.contract.ts';
import { SlurmBackend } from './slurm-backend.ts';
import { lockSlurm } from './slurm-lock.fixture.ts';

const url = process.env['SLURMRESTD_URL'];
const clock = { nowS: () => Date.now() / 1000 };
const SPEEDUP = 60;
/** Each run names its Slurm jobs apart, so jobs of earlier runs on the same cluster never match. */
const prefix = `t${randomBytes(4).toString('hex')}`;

const backend = () =>
  new SlurmBackend({
    url: url as string,
    clock,
    speedup: SPEEDUP,
    gpusPerNode: Number(process.env['SLURM_LOCAL_GPUS_PER_NODE'] ?? 4),
    ...(process.env['SLURM_LOCAL_PARTITION'] ? { partition: process.env['SLURM_LOCAL_PARTITION'] } : {}),
    ...(process.env['SLURMRESTD_USER_NAME'] ? { userName: process.env['SLURMRESTD_USER_NAME'] } : {}),
    namePrefix: prefix,
  });

const wait = (s: number) => new Promise<void>((r) => setTimeout(r, s * 1000));

describe.skipIf(!url)(
  'slurm backend on a real Slurm (needs SLURMRESTD_URL: ../shared/scripts/slurm-up.sh; .ci/run starts it)',
  () => {
    // One file at a time on the real Slurm: another file downing a node would fail this one's jobs.
    let release: (() => void) | undefined;
    beforeAll(async () => {
      release = await lockSlurm();
    }, 300_000);
    afterAll(() => release?.());
    // A two-minute estimate sleeps 2 s at 60×; waiting lets Slurm schedule and finish it.
    backendContract(
      'slurm (real, through slurmrestd)',
      async () => ({ backend: backend(), advance: (s) => wait(s / SPEEDUP + 3) }),
      120,
    );

    describe('slurm backend', () => {
      it('asks for GPUs per node over several nodes, names the job after the Suanli id, and sets a time limit', async () => {
        const b = backend();
        const { externalId } = await b.submit(backendJob('gang', { count: 8, durationS: 600 }));
        const id = externalId.replace('slurm:', '');
        const res = await fetch(`${url}/slurm/v0.0.38/job/${id}`);
        const job = ((await res.json()) as { jobs: Record<string, unknown>[] }).jobs[0];
        expect(job).toMatchObject({
          name: `${prefix}-gang`,
          tres_per_node: 'gres:gpu:4',
          node_count: 2,
          time_limit: 1,
        });
        await b.cancel(externalId);
      });

      it("records a grid event's power cap on the job for the site's agent, and takes a cap on a finished job quietly", async () => {
        const b = backend();
        const { externalId } = await b.submit(backendJob('capped', { count: 4, durationS: 600 }));
        const id = externalId.replace('slurm:', '');
        const untilS = Math.floor(Date.now() / 1000) + 3600;
        await b.powerCap(externalId, { capW: 450, untilS, throughput: 0.84 });
        const res = await fetch(`${url}/slurm/v0.0.38/job/${id}`);
        const job = ((await res.json()) as { jobs: Record<string, unknown>[] }).jobs[0];
        expect(job?.['comment']).toBe(`suanli power-cap 450 W per GPU until ${new Date(untilS * 1000).toISOString()}`);
        await b.cancel(externalId);
        await expect(b.powerCap('slurm:99999999', { capW: 450, untilS, throughput: 0.84 })).resolves.toBeUndefined();
      });

      it('asks for as many nodes as the engine placed the job on', async () => {
        const b = backend();
        // Two members of 2 on two nodes (a pool with a node size): not 4 GPUs on one node.
        const { externalId } = await b.submit(backendJob('spread', { count: 4, perNode: [2, 2], durationS: 600 }));
        const id = externalId.replace('slurm:', '');
        const res = await fetch(`${url}/slurm/v0.0.38/job/${id}`);
        const job = ((await res.json()) as { jobs: Record<string, unknown>[] }).jobs[0];
        expect(job).toMatchObject({ name: `${prefix}-spread`, tres_per_node: 'gres:gpu:2', node_count: 2 });
        await b.cancel(externalId);
      });

      it('reports a run whose node goes down as a node failure, and cancels a copy Slurm requeued itself (Suanli recovers the run)', async () => {
        const b = backend();
        // A long run (an hour at 60×: a minute), one node of 4 GPUs.
        const { externalId } = await b.submit(backendJob('doomed', { count: 4, durationS: 3600 }));
        const id = externalId.replace('slurm:', '');
        let node = '';
        for (let i = 0; i < 40 && !node; i++) {
          const [st] = await b.poll([externalId]);
          if (st?.state === 'running') {
            const res = await fetch(`${url}/slurm/v0.0.38/job/${id}`);
            node = String(((await res.json()) as { jobs: { nodes?: string }[] }).jobs[0]?.nodes ?? '');
          } else await wait(0.5);
        }
        expect(node).toMatch(/\w/);
        execFileSync('scontrol', ['update', `nodename=${node}`, 'state=down', 'reason=suanli-test']);
        try {
          let status: Awaited<ReturnType<typeof b.poll>>[number] | undefined;
          for (let i = 0; i < 40; i++) {
            [status] = await b.poll([externalId]);
            if (status?.state === 'failed') break;
            await wait(0.5);
          }
          // NODE_FAIL where Slurm honours requeue: false; where it requeues the run itself (22.05's
          // slurmrestd ignores the flag), the requeued copy is reported failed and cancelled.
          expect(status).toMatchObject({ state: 'failed', failureClass: 'node-failure' });
          const after = await fetch(`${url}/slurm/v0.0.38/job/${id}`);
          const state = ((await after.json()) as { jobs: { job_state: string }[] }).jobs[0]?.job_state;
          expect(['NODE_FAIL', 'CANCELLED']).toContain(state);
        } finally {
          // Back in service (ReturnToService may have done it already).
          try {
            execFileSync('scontrol', ['update', `nodename=${node}`, 'state=resume'], { stdio: 'ignore' });
          } catch {
            // already up
          }
        }
      }, 60_000);

      it('reports a job Slurm no longer knows as failed, with the reason, instead of leaving it running', async () => {
        const [status] = await backend().poll(['slurm:99999999']);
        expect(status).toMatchObject({
          state: 'failed',
          message: expect.stringContaining('slurm no longer knows job 99999999'),
        });
      });
    });
  },
);

describe('slurm backend without a Slurm', () => {
  it('backs off while slurmrestd is unreachable, and says so', async () => {
    const b = new SlurmBackend({ url: 'http://127.0.0.1:9', clock, maxBackoffS: 30 });
    await expect(b.poll(['slurm:1'])).rejects.toThrow(/slurm unreachable at http:\/\/127.0.0.1:9/);
    await expect(b.poll(['slurm:1'])).rejects.toThrow(/next try in \d+ s/);
  });
});
