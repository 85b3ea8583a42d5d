import type { Backend, BackendJob, BackendStatus } from '@suanli/service';
import { describe, expect, it } from 'vitest';

export interface BackendHarness {
  readonly backend: Backend;
  /** Lets time pass for the backend: a virtual clock moves, a real cluster is waited on. */
  advance(seconds: number): Promise<void>;
}

export function backendJob(jobId: string, over: Partial<BackendJob> = {}): BackendJob {
  return {
    jobId,
    name: `test-${jobId}`,
    tenant: 'acme',
    siteId: 'site',
    poolId: 'site-h100',
    accelerator: 'H100',
    count: 2,
    durationS: 60,
    stageS: 0,
    ...over,
  };
}

async function stateOf(h: BackendHarness, externalId: string): Promise<BackendStatus | undefined> {
  return (await h.backend.poll([externalId]))[0];
}

/** The behaviour every Backend must have. `jobSeconds` is how long the test jobs run there. */
export function backendContract(name: string, open: () => Promise<BackendHarness>, jobSeconds: number): void {
  describe(`Backend contract: ${name}`, () => {
    it('runs a job to success and reports its times', async () => {
      const h = await open();
      const { externalId } = await h.backend.submit(backendJob('c-run', { durationS: jobSeconds }));
      expect(['queued', 'running']).toContain((await stateOf(h, externalId))?.state);
      await h.advance(jobSeconds + 5);
      const done = await stateOf(h, externalId);
      expect(done).toMatchObject({ externalId, state: 'succeeded', exitCode: 0 });
      expect((done?.endedAtS ?? 0) >= (done?.startedAtS ?? Number.POSITIVE_INFINITY)).toBe(true);
    });

    it('is idempotent: submitting the same job again runs nothing twice', async () => {
      const h = await open();
      const first = await h.backend.submit(backendJob('c-idem', { durationS: jobSeconds }));
      const again = await h.backend.submit(backendJob('c-idem', { durationS: jobSeconds }));
      expect(again.externalId).toBe(first.externalId);
    });

    it('cancels a job, and cancelling again is no error', async () => {
      const h = await open();
      const { externalId } = await h.backend.submit(backendJob('c-cancel', { durationS: jobSeconds * 100 }));
      await h.backend.cancel(externalId);
      await h.backend.cancel(externalId);
      await h.advance(1);
      expect((await stateOf(h, externalId))?.state).toBe('cancelled');
    });

    it('leaves unknown ids out of a poll', async () => {
      const h = await open();
      expect(await h.backend.poll(['no-such-job'])).toEqual([]);
    });
  });
}
