import { buildProfile, DEFAULT_PROFILE_SPEC, type ProfileSpec } from '@suanli/engine';
import { describe, expect, it } from 'vitest';
import { eastWest } from './network.fixture.ts';
import { METRICS, renderHtml } from './report/html.ts';
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
  const bigger = applyChanges(base, [{ kind: 'add-capacity', site: 'west', accelerator: 'H100', count: 64 }]);
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
    const html = renderHtml(runScenario(plan()));
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
});
