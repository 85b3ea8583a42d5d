import { describe, expect, it } from 'vitest';
import { job } from '../network.fixture.ts';
import { afterFailure, keptWorkS, withCheckpointData } from './recovery.ts';

const T = 1_000_000;

describe('recovery after a failed run', () => {
  it('retries an infrastructure failure by the kind’s default, backing off and keeping no work without checkpoints', () => {
    const j = job('t', { kind: 'train' });
    const d = afterFailure(j, { failureClass: 'node-failure', siteId: 'west', ranS: 5000 }, 0, T);
    expect(d).toMatchObject({ retry: true, restart: 1, notBeforeS: T + 60, keptS: 0, lostS: 5000 });
    expect(d.reason).toContain('node-failure at west: restart 1 of 3 after 60 s');
    // The back-off doubles; after three restarts the job fails for good.
    expect(afterFailure(j, { failureClass: 'node-failure', siteId: 'west', ranS: 10 }, 2, T)).toMatchObject({
      retry: true,
      restart: 3,
      notBeforeS: T + 240,
    });
    expect(afterFailure(j, { failureClass: 'node-failure', siteId: 'west', ranS: 10 }, 3, T)).toMatchObject({
      retry: false,
      reason: 'node-failure: all 3 restarts used',
    });
  });

  it('keeps the work up to the last checkpoint, and loses what came after', () => {
    const j = job('t', { checkpoint: { intervalS: 1800, sizeGb: 200 } });
    expect(keptWorkS(j, 5000)).toBe(3600);
    const d = afterFailure(j, { failureClass: 'accelerator-error', siteId: 'east', ranS: 5000 }, 0, T);
    expect(d).toMatchObject({ retry: true, keptS: 3600, lostS: 1400 });
    expect(d.reason).toContain('from the checkpoint at 3600 s (1400 s of work lost)');
  });

  it('does not retry a user error unless its exit code is named, nor a cancel, nor an unnamed class', () => {
    const j = job('t');
    expect(afterFailure(j, { failureClass: 'user-error', exitCode: 1, siteId: 'west', ranS: 60 }, 0, T)).toMatchObject({
      retry: false,
      reason: 'user-error (exit 1) is not retried by its recovery policy',
    });
    const named = job('n', {
      recovery: { maxRestarts: 1, retryOn: [], retryExitCodes: [75], failover: 'same-site', backoffS: 0 },
    });
    expect(
      afterFailure(named, { failureClass: 'user-error', exitCode: 75, siteId: 'west', ranS: 60 }, 0, T),
    ).toMatchObject({
      retry: true,
      sites: ['west'],
      notBeforeS: T,
    });
    expect(afterFailure(j, { failureClass: 'cancelled', siteId: 'west', ranS: 60 }, 0, T).retry).toBe(false);
    expect(afterFailure(j, { failureClass: 'out-of-memory', siteId: 'west', ranS: 60 }, 0, T).retry).toBe(false);
  });

  it('fails over from a lost site by policy: anywhere, only the same site, or never', () => {
    const pinned = job('p', { sites: ['west'] });
    // Anywhere is wherever the job may run: its own list of sites still holds.
    expect(afterFailure(pinned, { failureClass: 'node-failure', siteId: 'west', ranS: 1 }, 0, T)).toMatchObject({
      retry: true,
      sites: ['west'],
    });
    const anywhere = afterFailure(job('a'), { failureClass: 'site-outage', siteId: 'west', ranS: 1 }, 0, T);
    expect(anywhere.retry && anywhere.sites).toBeUndefined();
    const never = job('n', {
      recovery: { maxRestarts: 3, retryOn: ['site-outage'], retryExitCodes: [], failover: 'never', backoffS: 0 },
    });
    expect(afterFailure(never, { failureClass: 'site-outage', siteId: 'west', ranS: 1 }, 0, T)).toMatchObject({
      retry: false,
      reason: 'site-outage at west, and its policy never fails over',
    });
  });

  it('holds the last checkpoint where it was written, classed as the job’s most restricted data', () => {
    const j = job('c', {
      checkpoint: { intervalS: 600, sizeGb: 80 },
      datasets: [{ name: 'scans', sizeGb: 10, replicas: ['east'], level: 'important', pi: 'sensitive' }],
    });
    expect(withCheckpointData(j, 'west').datasets.at(-1)).toEqual({
      name: 'checkpoint of c',
      sizeGb: 80,
      replicas: ['west'],
      level: 'important',
      pi: 'none',
      owner: 't',
    });
    expect(withCheckpointData(j, undefined)).toBe(j);
    expect(withCheckpointData(job('n'), 'west').datasets).toEqual([]);
  });
});
