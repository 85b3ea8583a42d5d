import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BUILTIN_POLICIES,
  builtinProfile,
  loadScenarioFile,
  loadTraceFile,
  parseScenario,
  SuanliError,
} from '@suanli/service';
import { simulate, syntheticJobs } from '@suanli/sim';
import { describe, expect, it } from 'vitest';
import { oneCluster } from '../packages/sim/src/network.fixture.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The published ordering on the Philly trace (Tiresias, NSDI '19; Gu et al.): on a loaded cluster,
 * SRTF < SJF ≤ QSSF < LAS < FIFO on average JCT. Here: 3,000 jobs fitted to the ITP trace on one
 * cluster of 71 A100, an offered load of about 1.2, every policy as its built-in profile through
 * the production engine.
 */
describe('baselines on a loaded cluster', () => {
  it('order as published: SRTF < SJF ≤ QSSF < LAS < FIFO on average JCT', () => {
    const network = oneCluster(71);
    const jobs = [
      ...syntheticJobs(
        {
          jobs: 3000,
          seed: 1,
          arrivalsPerHour: 4,
          deadlineShare: 0,
          datasetShare: 0,
          userSigma: 0.9,
          jobSigma: 0.8,
          mix: { train: 0.2, finetune: 0.5, 'batch-infer': 0.3, serve: 0 },
        },
        network,
      ),
    ];
    const avgJctH = (policy: string) => {
      const p = BUILTIN_POLICIES[policy];
      if (!p) throw new Error(`no built-in policy ${policy}`);
      const s = simulate({
        network,
        profile: builtinProfile(p.profile),
        jobs,
        estimates: p.estimates,
        seed: 1,
        cycleS: 60,
        preemption: { checkpointS: 0, restartS: 60 },
      });
      expect(s.jobs).toMatchObject({ submitted: 3000, finished: 3000, unfinished: 0 });
      return s.jctS.avg / 3600;
    };
    const [srtf, sjf, qssf, las, fifo] = ['srtf', 'sjf', 'qssf', 'las', 'fifo-nearest'].map(avgJctH) as [
      number,
      number,
      number,
      number,
      number,
    ];
    expect(srtf).toBeLessThan(sjf);
    expect(sjf).toBeLessThanOrEqual(qssf);
    expect(qssf).toBeLessThan(las);
    expect(las).toBeLessThan(fifo);
  }, 120_000);
});

describe('workload and scenario files', () => {
  it('reads the whole Microsoft ITP trace shipped in the repo', () => {
    const rows = loadTraceFile(`${ROOT}data/traces/msft-itp-2021.csv.gz`);
    expect(rows).toHaveLength(69_351);
    expect(rows.every((r, i) => i === 0 || r.submitS >= (rows[i - 1]?.submitS ?? 0))).toBe(true);
  });

  const philly = `${ROOT}../shared/data/traces/philly-2017-excerpt15k.csv.gz`;
  it.skipIf(!existsSync(philly))('reads the Philly excerpt from ../shared', () => {
    expect(loadTraceFile(philly).length).toBeGreaterThan(1000);
  });

  it('loads every example scenario', () => {
    for (const name of ['quick-start', 'itp-baselines', 'itp-national']) {
      const plan = loadScenarioFile(`${ROOT}examples/scenarios/${name}.yaml`);
      expect(plan.runs.length).toBeGreaterThan(1);
    }
  });
});

describe('rules in scenarios', () => {
  it('runs the China rules for every run, and a what-if may change only the rules', () => {
    const text = [
      'name: rules',
      'network: cn-national',
      'workload:',
      '  synthetic: { jobs: 10, arrivalsPerHour: 10 }',
      'policies: [default]',
      'rules: china',
      'whatIf:',
      '  - name: no-rules',
      '    rules: none',
    ].join('\n');
    const plan = parseScenario(text, 'rules.yaml', ROOT);
    const filters = plan.runs.map((r) => r.profile.siteFilters.map((f) => f.name));
    expect(filters[0]).toContain('governance');
    expect(filters[1]).not.toContain('governance');
    const bad = text.replace('rules: none', 'rules: lenient');
    try {
      parseScenario(bad, 'rules.yaml', ROOT);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'INVALID_SCENARIO', location: { line: 9, field: 'whatIf[0].rules' } });
    }
  });
});

describe('cadence in scenarios', () => {
  it('lets a what-if change only the decision cadence, and refuses one beyond a day', () => {
    const text = [
      'name: cadence',
      'network: cn-national',
      'workload:',
      '  synthetic: { jobs: 10, arrivalsPerHour: 10 }',
      'cycleS: 300',
      'whatIf:',
      '  - name: at-every-event',
      '    cycleS: 0',
    ].join('\n');
    const plan = parseScenario(text, 'cadence.yaml', ROOT);
    expect(plan.cycleS).toBe(300);
    expect(plan.runs.map((r) => [r.variant, r.cycleS])).toEqual([
      ['baseline', undefined],
      ['at-every-event', 0],
    ]);
    try {
      parseScenario(text.replace('cycleS: 0', 'cycleS: 100000'), 'cadence.yaml', ROOT);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'INVALID_SCENARIO', location: { line: 8, field: 'whatIf[0].cycleS' } });
    }
  });
});

describe('failures in a scenario', () => {
  const text = [
    'name: failing',
    'network: cn-national',
    'workload:',
    '  synthetic: { jobs: 10, arrivalsPerHour: 10 }',
    'failures: { acceleratorMtbfH: 45600, checkpointS: 1800 }',
    'whatIf:',
    '  - name: no-recovery',
    '    recovery: none',
  ].join('\n');

  it('reads the failure model, its recovery per what-if, and gives training jobs checkpoints', () => {
    const plan = parseScenario(text, 'failing.yaml', ROOT);
    expect(plan.failures).toEqual({ acceleratorMtbfH: 45600, recovery: 'policy', seed: 1 });
    expect(plan.runs.map((r) => [r.variant, r.recovery])).toEqual([
      ['baseline', undefined],
      ['no-recovery', 'none'],
    ]);
    const jobs = [...(plan.runs[0]?.jobs() ?? [])];
    for (const j of jobs) {
      const trains = j.job.kind === 'train' || j.job.kind === 'finetune';
      expect(j.job.checkpoint?.intervalS).toBe(trains ? 1800 : undefined);
    }
  });

  it('refuses a failure rate of 0, an unknown recovery, and a what-if recovery without failures, naming the field', () => {
    const refused = (t: string) => {
      try {
        parseScenario(t, 'failing.yaml', ROOT);
      } catch (e) {
        return (e as SuanliError).location.field;
      }
      return undefined;
    };
    expect(refused(text.replace('acceleratorMtbfH: 45600', 'acceleratorMtbfH: 0'))).toBe('failures.acceleratorMtbfH');
    expect(refused(text.replace('recovery: none', 'recovery: prayer'))).toBe('whatIf[0].recovery');
    expect(refused(text.replace('failures: { acceleratorMtbfH: 45600, checkpointS: 1800 }', 'seed: 1'))).toBe(
      'whatIf[0].recovery',
    );
    const withFailures = (f: string) => text.replace('failures: { acceleratorMtbfH: 45600, checkpointS: 1800 }', f);
    expect(refused(withFailures('failures: { outages: [{ site: atlantis, startS: 0, durationS: 60 }] }'))).toBe(
      'failures.outages[0].site',
    );
    expect(refused(withFailures('failures: { outages: [{ site: helinger, startS: 0, durationS: 0 }] }'))).toBe(
      'failures.outages[0].durationS',
    );
    expect(
      refused(withFailures('failures: { linkCuts: [{ from: helinger, to: helinger, startS: 0, durationS: 60 }] }')),
    ).toBe('failures.linkCuts[0].to');
    expect(refused(withFailures('failures: { outageRate: { perSiteYear: -1, durationS: 60 } }'))).toBe(
      'failures.outageRate.perSiteYear',
    );
    expect(refused(withFailures('failures: { recovery: policy }'))).toBe('failures');
  });

  it('reads outages, outages at a rate and link cuts, each site checked', () => {
    const plan = parseScenario(
      text.replace(
        'failures: { acceleratorMtbfH: 45600, checkpointS: 1800 }',
        [
          'failures:',
          '  outages: [{ site: helinger, startS: 3600, durationS: 21600 }]',
          '  outageRate: { perSiteYear: 2, durationS: 7200 }',
          '  linkCuts: [{ from: helinger, to: beijing, startS: 0, durationS: 600 }]',
        ].join('\n'),
      ),
      'failing.yaml',
      ROOT,
    );
    expect(plan.failures).toEqual({
      recovery: 'policy',
      seed: 1,
      outages: [{ siteId: 'helinger', startS: 3600, durationS: 21600 }],
      outageRate: { perSiteYear: 2, durationS: 7200 },
      linkCuts: [{ from: 'helinger', to: 'beijing', startS: 0, durationS: 600 }],
    });
  });
});

describe('services in a scenario', () => {
  const text = [
    'name: serving',
    'network: cn-national',
    'workload:',
    '  synthetic: { jobs: 10, arrivalsPerHour: 10 }',
    'services:',
    '  - name: chat',
    '    kind: serve',
    '    tenant: acme-ai',
    '    resources: { accelerators: { H100: 8 } }',
    '    durationS: 86400',
    '    service:',
    '      replicas: { min: 1, max: 4 }',
    '      target: { requestsPerS: 8 }',
    '      slo: { ttftP95Ms: 650 }',
    '      inferenceMs: 150',
    `      demand: [{ region: shanghai, requestsPerS: [${Array(24).fill(10).join(', ')}] }]`,
    'whatIf:',
    '  - name: static',
    '    serving: static',
  ].join('\n');
  const refused = (t: string) => {
    try {
      parseScenario(t, 'serving.yaml', ROOT);
    } catch (e) {
      return { field: (e as SuanliError).location.field, message: (e as SuanliError).message };
    }
    return undefined;
  };

  it('reads services as the live service reads serving jobs, and a what-if per provisioning', () => {
    const plan = parseScenario(text, 'serving.yaml', ROOT);
    expect(plan.serving).toMatchObject({ durationS: 86_400, stepS: 60 });
    expect(plan.serving?.services[0]).toMatchObject({ id: 'svc-0-chat', minReplicas: 1, maxReplicas: 4, sloMs: 650 });
    expect(plan.runs.map((r) => [r.variant, r.serving])).toEqual([
      ['baseline', undefined],
      ['static', 'static'],
    ]);
  });

  it('refuses a bad service naming it and its field, and a serving what-if without services', () => {
    expect(refused(text.replace('min: 1, max: 4', 'min: 5, max: 4'))).toEqual({
      field: 'services[0]',
      message: 'service.replicas.min: min 5 is more than max 4',
    });
    expect(refused(text.replace(/services:[\s\S]*whatIf:/, 'whatIf:'))?.field).toBe('whatIf[0].serving');
  });
});

describe('scenario errors', () => {
  const fail = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof SuanliError) return { code: e.code, message: e.message, ...e.location };
      throw e;
    }
    return undefined;
  };

  it('names the file, line and field of a bad scenario', () => {
    const text = [
      'name: bad',
      'network: cn-national',
      'workload:',
      '  synthetic:',
      '    jobs: -5',
      '    arrivalsPerHour: 10',
      'policies: [default]',
    ];
    expect(fail(() => parseScenario(text.join('\n'), 'bad.yaml', ROOT))).toMatchObject({
      code: 'INVALID_SCENARIO',
      source: 'bad.yaml',
      line: 5,
      field: 'workload.synthetic.jobs',
    });
    const unknown = [...text.slice(0, 4), '    jobs: 10', '    arrivalsPerHour: 10', 'policies: [default, fastest]'];
    expect(fail(() => parseScenario(unknown.join('\n'), 'bad.yaml', ROOT))).toMatchObject({
      code: 'INVALID_SCENARIO',
      message: expect.stringContaining('fastest'),
    });
  });

  it('names the line of a bad trace', () => {
    expect(fail(() => loadTraceFile(`${ROOT}test/fixtures/bad-trace.csv`))).toMatchObject({
      code: 'INVALID_TRACE',
      source: expect.stringContaining('bad-trace.csv'),
      line: 3,
      field: 'duration_s',
    });
  });
});
