import { buildProfile, DEFAULT_PROFILE_SPEC, type ProfileSpec } from '@suanli/engine';
import { describe, expect, it } from 'vitest';
import { eastWest } from './network.fixture.ts';
import { METRICS, metricsFor, nothingQueuedNote, renderHtml } from './report/html.ts';
import { runScenario, type ScenarioPlan } from './scenario.ts';
import { applyChanges } from './what-if.ts';
import { syntheticJobs } from './workload/synthetic.ts';

const FIFO: ProfileSpec = {
  name: 'fifo <nearest>',
  queueSort: 'priority-fifo',
  plugins: [{ name: 'accelerator-type' }, { name: 'capacity-fit' }],
  scores: [{ name: 'distance-score' }],
  timeShift: false,
  backfill: { reservations: 0 },
};

function plan(): ScenarioPlan {
  const base = eastWest();
  const bigger = applyChanges(base, [
    { kind: 'add-capacity', site: 'west', accelerator: 'H100', count: 64 },
    { kind: 'node-size', site: '*', nodeSize: 8 },
    // A programme (no share boost): the vouchers figure applies.
    {
      kind: 'programme',
      programme: {
        id: 'ai-research',
        name: 'AI+ research',
        sectors: ['research'],
        kinds: ['train', 'finetune', 'batch-infer', 'serve'],
        shareBoost: 1,
        budgetFen: 1_000_000,
        validFromS: 0,
        validToS: 4_000_000_000,
      },
    },
  ]);
  const jobsOn = (net: typeof base) => () => syntheticJobs({ jobs: 300, seed: 9, arrivalsPerHour: 12 }, net);
  const run = (policy: string, variant: string, net: typeof base, spec: ProfileSpec) => ({
    policy,
    variant,
    network: net,
    profile: buildProfile(spec),
    estimates: 'history' as const,
    jobs: jobsOn(net),
    jobCount: 300,
  });
  return {
    name: 'east & <west>',
    network: 'fixture',
    workload: 'synthetic, 300 jobs',
    seed: 3,
    cycleS: 60,
    preemption: { checkpointS: 0, restartS: 60 },
    runs: [
      run('default', 'baseline', base, DEFAULT_PROFILE_SPEC),
      run('fifo <nearest>', 'baseline', base, FIFO),
      run('default', 'more west', bigger, DEFAULT_PROFILE_SPEC),
    ],
  };
}

describe('scenario report', () => {
  it('gives the same report, byte for byte, for the same scenario and seed', () => {
    const seen: string[] = [];
    const a = runScenario(plan(), { onRunEnd: (i, n, r) => seen.push(`${i + 1}/${n} ${r.policy} ${r.variant}`) });
    const b = runScenario(plan());
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(seen).toEqual(['1/3 default baseline', '2/3 fifo <nearest> baseline', '3/3 default more west']);
    expect(a.format).toBe('suanli-simulation-report/1');
    for (const r of a.runs) expect(r.summary.jobs.submitted).toBe(300);
    // The what-if ran on its own network: the west has twice the H100.
    const west = (i: number) => a.runs[i]?.summary.sites.find((x) => x.siteId === 'west')?.accelerators ?? 0;
    expect(west(2)).toBe(2 * west(0));
  });

  it('renders a self-contained page: no scripts, no external files, names escaped, one chart per metric', () => {
    // With failures, an outage and a service, so the recovery and serving metrics apply too.
    const html = renderHtml(
      runScenario({
        ...plan(),
        failures: {
          acceleratorMtbfH: 500,
          seed: 1,
          recovery: 'policy',
          outages: [{ siteId: 'west', startS: 3600, durationS: 3600 }],
        },
        // And a service, so the serving metrics apply.
        serving: {
          services: [
            {
              id: 'chat',
              tenant: 'lab',
              perReplica: [{ accelerator: 'H100', perMember: 8 }],
              minReplicas: 1,
              maxReplicas: 4,
              guaranteed: 1,
              targetPerReplica: 10,
              sloMs: 650,
              inferenceMs: 150,
              demand: [{ regionId: 'east', requestsPerS: new Array<number>(24).fill(12) }],
            },
          ],
          durationS: 86_400,
          stepS: 60,
        },
        // And a grid event, so the demand-response metrics apply.
        power: {
          events: [
            {
              level: 'site',
              target: 'west',
              atS: 3600,
              noticeS: 0,
              durationS: 3600,
              complyWithinS: 900,
              reductionPct: 20,
            },
          ],
        },
      }),
    );
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toContain('<nearest>');
    expect(html).toContain('fifo &lt;nearest&gt;');
    expect(html).toContain('east &amp; &lt;west&gt;');
    for (const m of METRICS) expect(html).toContain(`data-chart="${m.id}"`);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(METRICS.length + 4);
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('measures fragmentation on pools with a node size', () => {
    const [plain, , nodes] = runScenario(plan()).runs;
    expect(plain?.summary.fragmentedWhileWaiting).toBe(0);
    expect(nodes?.summary.fragmentedWhileWaiting).toBeGreaterThan(0);
    expect(nodes?.summary.fragmentedWhileWaiting).toBeLessThanOrEqual(nodes?.summary.idleWhileWaiting ?? 0);
  });

  it('leaves out what does not apply: cost, carbon and data on one site, fragmentation without nodes, sectors nobody has', () => {
    const base = eastWest();
    const one = { ...base, sites: base.sites.slice(0, 1), tenants: [], clusterQueues: [] };
    const report = runScenario({
      ...plan(),
      runs: [
        {
          policy: 'default',
          variant: 'baseline',
          network: one,
          profile: buildProfile(DEFAULT_PROFILE_SPEC),
          estimates: 'history',
          jobs: () => syntheticJobs({ jobs: 100, seed: 9, arrivalsPerHour: 12, deadlineShare: 0 }, one),
          jobCount: 100,
        },
      ],
    });
    const shown = metricsFor(report.runs).map((m) => m.id);
    for (const id of ['cost', 'carbon', 'data', 'fragmentation', 'deadline-misses', 'grid-events', 'grid-cost']) {
      expect(shown).not.toContain(id);
    }
    expect(shown).toContain('jct-avg');
    const html = renderHtml(report);
    expect(html).not.toContain('data-chart="cost"');
    expect(html).not.toContain('data-chart="sector-share"');
    expect(html).not.toContain('<h2>Sectors</h2>');
  });

  it('runs a what-if at its own cadence, and says when nothing ever queued', () => {
    const quiet: ScenarioPlan = {
      ...plan(),
      runs: plan()
        .runs.slice(0, 1)
        .flatMap((r) => [
          { ...r, jobs: () => syntheticJobs({ jobs: 20, seed: 9, arrivalsPerHour: 0.5 }, r.network), jobCount: 20 },
          {
            ...r,
            variant: 'at every event',
            cycleS: 0,
            jobs: () => syntheticJobs({ jobs: 20, seed: 9, arrivalsPerHour: 0.5 }, r.network),
            jobCount: 20,
          },
        ]),
    };
    const report = runScenario(quiet);
    expect(report.runs.map((r) => r.cycleS)).toEqual([60, 0]);
    const [run] = report.runs;
    if (!run) throw new Error('no run');
    expect(run.summary.peakDemandAccelerators).toBeLessThanOrEqual(run.summary.capacityAccelerators);
    expect(nothingQueuedNote(run)).toMatch(/^default: peak demand \d+ of 96 accelerators: nothing queued$/);
    const html = renderHtml(report);
    expect(html).toContain('nothing queued');
    expect(html).toContain('decides at every event');
    // A loaded run says nothing of the kind.
    const loaded = runScenario(plan()).runs[0];
    if (!loaded) throw new Error('no run');
    expect(loaded.summary.peakDemandAccelerators).toBeGreaterThan(loaded.summary.capacityAccelerators);
    expect(nothingQueuedNote(loaded)).toBeUndefined();
  });

  it('keeps a sweep of many runs readable: a labelled row per run, a colour per policy', () => {
    const report = runScenario({ ...plan(), runs: plan().runs.slice(0, 2) });
    const runs = Array.from({ length: 12 }, (_, i) => {
      const base = report.runs[i % 2];
      if (!base) throw new Error('no run');
      return { ...base, variant: `variant-${i}` };
    });
    const html = renderHtml({ ...report, runs });
    for (let i = 0; i < 12; i++)
      expect(html).toContain(`>${i % 2 === 0 ? 'default' : 'fifo &lt;nearest&gt;'} · variant-${i}<`);
    // The legend names the two policies, not twelve runs.
    expect((html.match(/class="key"/g) ?? []).length).toBe(2);
  });
});
