import { describe, expect, it } from 'vitest';
import type { Decision } from '../domain/placement.ts';
import { defaultProfile } from '../framework/registry.ts';
import { job, T0, testNetwork } from '../network.fixture.ts';
import { afterFailure, withCheckpointData } from '../recovery/recovery.ts';
import { Ledger, runCycle } from './ledger.ts';

const placedAt = (d: Decision | undefined) => (d?.kind === 'place' ? d.placement.siteId : undefined);

describe('sites and links out of service', () => {
  it('places nothing at a site out of service, says why, keeps the job waiting, and places there again once it is back', () => {
    const ledger = new Ledger(testNetwork(), defaultProfile(), { cycleS: 0 });
    const pinned = job('pinned', { sites: ['hydro'] });
    ledger.enqueue(pinned, T0);
    expect(
      ledger.siteOut(
        { siteId: 'hydro', sinceS: T0, failureClass: 'backend-unreachable', reason: 'no answer for 120 s' },
        T0,
      ),
    ).toBe(true);
    const first = runCycle(ledger, T0, {}, () => {})?.decisions[0];
    expect(first?.kind).toBe('wait');
    // Not for good: the job stays queued (parked) until the site comes back.
    expect(first?.kind === 'wait' && first.unresolvable).toBe(false);
    const verdict = first?.explanation.verdicts.find((v) => v.siteId === 'hydro');
    expect(verdict).toMatchObject({ outcome: 'filtered', plugin: 'site-health', code: 'unschedulable' });
    expect(verdict?.outcome === 'filtered' && verdict.reason).toBe(
      'hydro is out of service (backend-unreachable): no answer for 120 s',
    );
    expect(ledger.queueLength).toBe(1);
    expect(ledger.siteBack('hydro', T0 + 600)).toBe(true);
    expect(ledger.siteBack('hydro', T0 + 600)).toBe(false);
    expect(placedAt(runCycle(ledger, T0 + 600, {}, () => {})?.decisions[0])).toBe('hydro');
  });

  it('places a free job elsewhere while its best site is out', () => {
    const probe = new Ledger(testNetwork(), defaultProfile(), { cycleS: 0 });
    probe.enqueue(job('a'), T0);
    const best = placedAt(runCycle(probe, T0, {}, () => {})?.decisions[0]) as string;
    const ledger = new Ledger(testNetwork(), defaultProfile(), { cycleS: 0 });
    ledger.enqueue(job('a'), T0);
    ledger.siteOut({ siteId: best, sinceS: T0, failureClass: 'site-outage', reason: 'drill' }, T0);
    const d = runCycle(ledger, T0, {}, () => {})?.decisions[0];
    expect(placedAt(d)).toBeDefined();
    expect(placedAt(d)).not.toBe(best);
  });

  it('cannot read data held only at a site out of service or over a cut link, and says which', () => {
    const ledger = new Ledger(testNetwork(), defaultProfile(), { cycleS: 0 });
    const reads = job('reads', {
      datasets: [{ name: 'corpus', sizeGb: 500, replicas: ['east'], level: 'general', pi: 'none' }],
      sites: ['west'],
    });
    ledger.enqueue(reads, T0);
    ledger.linkCut({ from: 'west', to: 'east', sinceS: T0, reason: 'fibre cut' }, T0);
    const d = runCycle(ledger, T0, {}, () => {})?.decisions[0];
    expect(d?.kind).toBe('wait');
    const v = d?.explanation.verdicts.find((x) => x.siteId === 'west');
    expect(v?.outcome === 'filtered' && v.reason).toBe(
      'data set corpus cannot be read from here: the link east–west is cut',
    );
    expect(ledger.linkBack('east', 'west', T0 + 60)).toBe(true);
    expect(placedAt(runCycle(ledger, T0 + 60, {}, () => {})?.decisions[0])).toBe('west');
  });

  it('explains a failover: why not the failed site, and what staging the checkpoint costs', () => {
    const base = job('ft', { sites: ['west', 'hydro'], checkpoint: { intervalS: 600, sizeGb: 400, siteId: 'east' } });
    // Written to another site than the one lost, the checkpoint is kept.
    const decision = afterFailure(base, { failureClass: 'site-outage', siteId: 'hydro', ranS: 1900 }, 0, T0);
    expect(decision).toMatchObject({ retry: true, keptS: 1800, lostS: 100 });
    const retried = withCheckpointData(
      { ...base, durationS: 1800, failedAt: { siteId: 'hydro', failureClass: 'site-outage' } },
      'hydro',
    );
    expect(retried.datasets.at(-1)?.replicas).toEqual(['east']);
    const ledger = new Ledger(testNetwork(), defaultProfile(), { cycleS: 0 });
    ledger.siteOut({ siteId: 'hydro', sinceS: T0, failureClass: 'site-outage', reason: 'drill' }, T0);
    ledger.enqueue(retried, T0);
    const d = runCycle(ledger, T0, {}, () => {})?.decisions[0];
    expect(placedAt(d)).toBe('west');
    const note = d?.explanation.notes.find((n) => n.startsWith('failover'));
    expect(note).toMatch(
      /^failover from hydro after site-outage: hydro is out of service \(site-outage\); west chosen as the best option left; staging its checkpoint \(400 GB from east\) takes .+ and costs ¥20\.00$/,
    );
  });

  it('keeps a job whose checkpoint is only at a site out of service waiting for it', () => {
    const ledger = new Ledger(testNetwork(), defaultProfile(), { cycleS: 0 });
    const retried = withCheckpointData(job('w', { checkpoint: { intervalS: 600, sizeGb: 40 } }), 'hydro');
    ledger.siteOut({ siteId: 'hydro', sinceS: T0, failureClass: 'site-outage', reason: 'drill' }, T0);
    ledger.enqueue(retried, T0);
    const d = runCycle(ledger, T0, {}, () => {})?.decisions[0];
    expect(d?.kind === 'wait' && !d.unresolvable).toBe(true);
    ledger.siteBack('hydro', T0 + 60);
    expect(runCycle(ledger, T0 + 60, {}, () => {})?.decisions[0]?.kind).toBe('place');
  });

  it('loses a checkpoint written at the lost site for a restart elsewhere, keeps it for one at the same site', () => {
    const at = (failover: 'any-site' | 'same-site') =>
      afterFailure(
        job('x', {
          checkpoint: { intervalS: 600, sizeGb: 10 },
          recovery: { maxRestarts: 2, retryOn: ['site-outage'], retryExitCodes: [], failover, backoffS: 0 },
        }),
        { failureClass: 'site-outage', siteId: 'west', ranS: 1900 },
        0,
        T0,
      );
    const anywhere = at('any-site');
    // The work of earlier runs is in that checkpoint too: the job starts from the beginning.
    expect(anywhere).toMatchObject({ retry: true, keptS: 0, lostS: 1900, fromScratch: true });
    expect(anywhere.reason).toContain('from the beginning: its checkpoint is at west, out of service');
    expect(at('same-site')).toMatchObject({ retry: true, keptS: 1800, lostS: 100, fromScratch: false });
  });
});
